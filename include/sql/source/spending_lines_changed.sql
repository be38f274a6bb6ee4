-- One keyset page of the lines changed in [start, end): the durable cursor's window (start = watermark -
-- lookback) or a backfill's data interval. A NULL start means "from the beginning", a NULL end "up to now"
-- (full reconciliation). Pages follow (updated_at, id): a NULL after_ts is the first page, else the page
-- continues after the last key read. Each page is read in a transaction of its own (see source.py and
-- docs/scheduling.md for what that means for rows committed meanwhile); the index on
-- (tenant_id, updated_at) serves the window and the key.
SELECT id, project_code, budget_line_code, date, description, amount, currency, status, revision, updated_at
FROM togrant.spending_lines
WHERE tenant_id = %(tenant_id)s
  AND (%(start)s::timestamptz IS NULL OR updated_at >= %(start)s::timestamptz)
  AND (%(end)s::timestamptz IS NULL OR updated_at < %(end)s::timestamptz)
  AND (%(after_ts)s::timestamptz IS NULL OR (updated_at, id) > (%(after_ts)s::timestamptz, %(after_id)s::text))
ORDER BY updated_at, id
LIMIT %(page)s
