SELECT project_code, code, name, category_code, updated_at
FROM togrant.budget_lines
WHERE tenant_id = %(tenant_id)s
ORDER BY project_code, code
