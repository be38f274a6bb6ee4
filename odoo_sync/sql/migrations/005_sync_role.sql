-- The role the sync runs as (grant it to the login of the `odoo_sync_db` connection): it may append to the
-- sync log but never update, delete or truncate it, whatever it sets in its session (the append-only trigger's
-- retention switch is a setting anyone can set; privileges are not). Retention runs as the schema owner.
-- Roles are cluster-wide: created once if the migrating user may create roles, otherwise left to the DBA.
-- Two databases migrated at once may both try: the loser gets unique_violation (pg_authid's index), not
-- duplicate_object, and the role is there for the grants below once the winner commits.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo_sync_writer') THEN
        CREATE ROLE odoo_sync_writer NOLOGIN;
    END IF;
EXCEPTION
    WHEN insufficient_privilege OR duplicate_object OR unique_violation THEN
        RAISE NOTICE 'odoo_sync_writer not created here (%); create it as a DBA and re-grant', SQLERRM;
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo_sync_writer') THEN
        GRANT USAGE ON SCHEMA odoo_sync TO odoo_sync_writer;
        GRANT SELECT ON ALL TABLES IN SCHEMA odoo_sync TO odoo_sync_writer;
        GRANT INSERT ON odoo_sync.sync_log, odoo_sync.health_ping TO odoo_sync_writer;
        GRANT INSERT, UPDATE ON odoo_sync.ledger, odoo_sync.watermark, odoo_sync.health_incident,
            odoo_sync.health_state TO odoo_sync_writer;
        GRANT DELETE ON odoo_sync.health_state TO odoo_sync_writer;
        REVOKE UPDATE, DELETE, TRUNCATE ON odoo_sync.sync_log FROM odoo_sync_writer;
    END IF;
END $$;

-- Retention deletes the oldest rows first, in batches: keep that scan on the (ts) index cheap.
COMMENT ON INDEX odoo_sync.sync_log_ts IS 'Retention (odoo_sync.retention.purge_sync_log) deletes by age.';
