SELECT code, name, status, updated_at
FROM togrant.projects
WHERE tenant_id = %(tenant_id)s
ORDER BY code
