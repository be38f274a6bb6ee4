-- Retention through the DAGs' own login (a member of odoo_sync_writer, migration 005), without DELETE rights.
--
-- Granting DELETE on sync_log would undo migration 005: the append-only trigger's switch is a setting anyone may
-- set, so DELETE plus the switch is "erase any row, yesterday's included". Instead two functions owned by the
-- schema owner (SECURITY DEFINER) remove rows by age only, and never a row of the last day by the database's own
-- clock: the most a compromised sync login can do is what retention does anyway, never erase what it just did.
-- Both are idempotent and run in the caller's transaction; EXECUTE is granted to odoo_sync_writer only.

CREATE FUNCTION odoo_sync.purge_sync_log(cutoff timestamptz, batch_size integer) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    was text := current_setting('odoo_sync.retention', true);
    removed bigint;
BEGIN
    -- The trigger's switch for this statement only (a SET clause on a custom setting needs a superuser owner).
    PERFORM set_config('odoo_sync.retention', 'on', true);
    DELETE FROM odoo_sync.sync_log
    WHERE id IN (
        SELECT id FROM odoo_sync.sync_log
        WHERE ts < least(cutoff, now() - interval '1 day')
        ORDER BY ts
        LIMIT batch_size
    );
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('odoo_sync.retention', coalesce(was, ''), true);
    RETURN removed;
END $$;

CREATE FUNCTION odoo_sync.prune_health_pings(cutoff timestamptz) RETURNS bigint
    LANGUAGE sql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH gone AS (
        DELETE FROM odoo_sync.health_ping WHERE ts < least(cutoff, now() - interval '1 day') RETURNING 1
    )
    SELECT count(*) FROM gone
$$;

REVOKE ALL ON FUNCTION odoo_sync.purge_sync_log(timestamptz, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION odoo_sync.prune_health_pings(timestamptz) FROM PUBLIC;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo_sync_writer') THEN
        GRANT EXECUTE ON FUNCTION odoo_sync.purge_sync_log(timestamptz, integer),
            odoo_sync.prune_health_pings(timestamptz) TO odoo_sync_writer;
    END IF;
END $$;
