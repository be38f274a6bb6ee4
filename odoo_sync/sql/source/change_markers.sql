-- The watcher's probe: one row per tenant with a change marker over every table the sync reads. Per tenant:
-- how many rows, the latest updated_at, and the sum of the updated_at stamps (it moves on an edit with an older
-- updated_at and on a deletion, which the latest alone misses). Index scans on (tenant_id, ...) only.
-- %(tenants)s NULL: the whole fleet in one query (the triggerer's probe); a list: those tenants (a run's gate).
WITH per_table AS (
    SELECT tenant_id, count(*) AS n, max(updated_at) AS latest, sum(extract(epoch FROM updated_at)) AS stamps
    FROM togrant.spending_lines
    WHERE %(tenants)s::text[] IS NULL OR tenant_id = ANY(%(tenants)s::text[])
    GROUP BY tenant_id
    UNION ALL
    SELECT tenant_id, count(*), max(updated_at), sum(extract(epoch FROM updated_at))
    FROM togrant.projects
    WHERE %(tenants)s::text[] IS NULL OR tenant_id = ANY(%(tenants)s::text[])
    GROUP BY tenant_id
    UNION ALL
    SELECT tenant_id, count(*), max(updated_at), sum(extract(epoch FROM updated_at))
    FROM togrant.budget_categories
    WHERE %(tenants)s::text[] IS NULL OR tenant_id = ANY(%(tenants)s::text[])
    GROUP BY tenant_id
    UNION ALL
    SELECT tenant_id, count(*), max(updated_at), sum(extract(epoch FROM updated_at))
    FROM togrant.budget_lines
    WHERE %(tenants)s::text[] IS NULL OR tenant_id = ANY(%(tenants)s::text[])
    GROUP BY tenant_id
)
SELECT tenant_id, sum(n)::bigint AS row_count, max(latest) AS latest_change, sum(stamps)::text AS stamps
FROM per_table
GROUP BY tenant_id
ORDER BY tenant_id
