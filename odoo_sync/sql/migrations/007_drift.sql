-- Drift check: what a read-only comparison of Odoo with the source found, per tenant and check, and the
-- incidents that page on-call once when drift persists (like red health).

CREATE TABLE odoo_sync.drift_check (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     text        NOT NULL,
    checked_at    timestamptz NOT NULL,
    state         text        NOT NULL CHECK (state IN ('clean', 'pending', 'drift', 'error')),
    totals_drift  integer     NOT NULL DEFAULT 0,  -- plan accounts whose Odoo total was changed by hand
    totals_pending integer    NOT NULL DEFAULT 0,  -- plan accounts that differ only by what the sync has yet to do
    missing       integer     NOT NULL DEFAULT 0,  -- records the sync knows that Odoo deleted or archived
    lines_waiting integer,                         -- source lines the next sync would write (rejected included)
    accounts      integer     NOT NULL DEFAULT 0,  -- plan accounts compared
    findings      jsonb       NOT NULL DEFAULT '{}'::jsonb,  -- the differences (capped), for the dashboard and mails
    error         text,
    dag_id        text,
    run_id        text
);
COMMENT ON TABLE odoo_sync.drift_check IS
    'One row per drift check of a tenant (odoo_drift__<tenant> DAG): Odoo compared with the source, read-only.';
CREATE INDEX drift_check_tenant ON odoo_sync.drift_check (tenant_id, checked_at DESC);

-- One row per drift episode of a tenant: opened by the first check that finds drift, paged once when it has
-- lasted `drift_alert_after_hours`, resolved by the first check that finds none.
CREATE TABLE odoo_sync.drift_incident (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        text        NOT NULL,
    drifting_since   timestamptz NOT NULL,
    alerted_at       timestamptz,
    resolved_at      timestamptz,
    recovery_sent_at timestamptz,
    summary          text
);
CREATE UNIQUE INDEX drift_incident_one_open ON odoo_sync.drift_incident (tenant_id) WHERE resolved_at IS NULL;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo_sync_writer') THEN
        GRANT SELECT, INSERT ON odoo_sync.drift_check TO odoo_sync_writer;
        GRANT SELECT, INSERT, UPDATE ON odoo_sync.drift_incident TO odoo_sync_writer;
    END IF;
END $$;
