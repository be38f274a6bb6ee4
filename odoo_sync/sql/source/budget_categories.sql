SELECT code, name, updated_at
FROM togrant.budget_categories
WHERE tenant_id = %(tenant_id)s
ORDER BY code
