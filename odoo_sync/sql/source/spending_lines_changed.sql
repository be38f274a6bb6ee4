-- One keyset page of the lines changed in [start, end): the durable cursor's window (start = watermark -
-- lookback) or a backfill's data interval; source.py passes -infinity / infinity for an open end (a full
-- reconciliation) rather than NULL, so that every page, however often the statement is prepared and
-- re-planned, keeps plain index bounds. Pages follow (updated_at, id), continuing after the last key read
-- (-infinity and '' before the first page). Each page is read in a transaction of its own (see source.py and
-- docs/scheduling.md for what that means for rows committed meanwhile). The redundant updated_at >= after_ts
-- lets the index on (tenant_id, updated_at) start each page at the key (a row comparison alone is no bound).
SELECT id, project_code, budget_line_code, date, description, amount, currency, status, revision, updated_at
FROM togrant.spending_lines
WHERE tenant_id = %(tenant_id)s
  AND updated_at >= %(start)s::timestamptz
  AND updated_at < %(end)s::timestamptz
  AND updated_at >= %(after_ts)s::timestamptz
  AND (updated_at, id) > (%(after_ts)s::timestamptz, %(after_id)s::text)
ORDER BY updated_at, id
LIMIT %(page)s
