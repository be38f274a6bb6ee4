-- Lines changed in [start, end): the run's data interval. A NULL start means "from the beginning".
SELECT id, project_code, budget_line_code, date, description, amount, currency, status, revision, updated_at
FROM togrant.spending_lines
WHERE tenant_id = %(tenant_id)s
  AND (%(start)s::timestamptz IS NULL OR updated_at >= %(start)s::timestamptz)
  AND updated_at < %(end)s::timestamptz
ORDER BY updated_at, id
