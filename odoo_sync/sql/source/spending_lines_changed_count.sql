-- How many lines spending_lines_changed.sql will stream (for progress logs: "lines 3,500/12,000").
SELECT count(*)
FROM togrant.spending_lines
WHERE tenant_id = %(tenant_id)s
  AND (%(start)s::timestamptz IS NULL OR updated_at >= %(start)s::timestamptz)
  AND (%(end)s::timestamptz IS NULL OR updated_at < %(end)s::timestamptz)
