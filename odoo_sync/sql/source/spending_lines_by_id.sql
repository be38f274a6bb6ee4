-- Lines by id, whatever their updated_at: rejected rows retried, lines whose parent accounts changed.
SELECT id, project_code, budget_line_code, date, description, amount, currency, status, revision, updated_at
FROM togrant.spending_lines
WHERE tenant_id = %(tenant_id)s
  AND id = ANY(%(ids)s::text[])
