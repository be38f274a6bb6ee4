-- Event-driven sync: per tenant, the source's change marker as a run last saw it and as the last successful run
-- synced it. A scheduled or event-started run whose marker equals the synced one skips the Odoo work.
CREATE TABLE odoo_sync.change_marker (
    tenant_id      text        PRIMARY KEY,
    seen_marker    text,                     -- the source's marker when a run last looked
    latest_change  timestamptz,              -- the source's latest updated_at then (the dashboard's "last change")
    seen_at        timestamptz,
    pending_marker text,                     -- what the running sync read; becomes synced_marker when it succeeds
    synced_marker  text,
    synced_at      timestamptz               -- the dashboard's "last sync"
);
COMMENT ON TABLE odoo_sync.change_marker IS
    'Per tenant: the source change marker last seen and last synced (odoo_sync.sync.changes decides on it).';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo_sync_writer') THEN
        GRANT SELECT, INSERT, UPDATE ON odoo_sync.change_marker TO odoo_sync_writer;
    END IF;
END $$;
