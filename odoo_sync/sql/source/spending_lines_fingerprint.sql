-- Count and order-free hash sum of the tenant's lines updated before each bound: rows the cursor has passed.
-- A change below a bound that the cursor did not see (an edit back-dated, a deletion, a row committed later
-- than the lookback) changes the fingerprint, and the sync reconciles.
SELECT count(*) FILTER (WHERE updated_at < %(settled)s::timestamptz)
           || ':' || coalesce(sum(hashtextextended(l::text, 0)::numeric)
                              FILTER (WHERE updated_at < %(settled)s::timestamptz), 0),
       count(*) FILTER (WHERE updated_at < %(next)s::timestamptz)
           || ':' || coalesce(sum(hashtextextended(l::text, 0)::numeric)
                              FILTER (WHERE updated_at < %(next)s::timestamptz), 0)
FROM togrant.spending_lines AS l
WHERE tenant_id = %(tenant_id)s
