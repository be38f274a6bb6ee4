-- Lines changed in [start, end): the durable cursor's window (start = watermark - lookback) or a backfill's
-- data interval. A NULL start means "from the beginning", a NULL end "up to now" (full reconciliation).
SELECT id, project_code, budget_line_code, date, description, amount, currency, status, revision, updated_at
FROM togrant.spending_lines
WHERE tenant_id = %(tenant_id)s
  AND (%(start)s::timestamptz IS NULL OR updated_at >= %(start)s::timestamptz)
  AND (%(end)s::timestamptz IS NULL OR updated_at < %(end)s::timestamptz)
ORDER BY updated_at, id
