-- What the health DAG needs to see the sync itself, not only the ping, and who holds a tenant's lock.
-- (Numbered 007 beside 007_drift: the runner applies files by name, so this one follows 007_drift on a new
-- database and is applied once on one that has 008 already.)

-- One row per tenant: its last successful sync run (written by the run's last task), and its last start and
-- failure, so that a stale tenant's cause can be named (failing, stuck, or not started at all).
CREATE TABLE IF NOT EXISTS odoo_sync.sync_run (
    tenant_id         text PRIMARY KEY,
    last_success_at   timestamptz,
    last_success_run  text,
    last_started_at   timestamptz,
    last_started_run  text,
    last_failure_at   timestamptz,
    last_failure_run  text,
    last_failure      text
);

-- Who holds a tenant's advisory lock (odoo_sync.store.locks): written by the holder once it has the lock, read
-- by a waiter that gives up. A row whose pid no longer holds the lock is stale and ignored.
CREATE TABLE IF NOT EXISTS odoo_sync.tenant_lock_holder (
    tenant_id text PRIMARY KEY,
    pid       integer     NOT NULL,
    holder    text        NOT NULL,
    since     timestamptz NOT NULL DEFAULT now()
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo_sync_writer') THEN
        GRANT SELECT, INSERT, UPDATE ON odoo_sync.sync_run, odoo_sync.tenant_lock_holder TO odoo_sync_writer;
    END IF;
END $$;
