-- Integration health, part 2: ping warnings, and each tenant's evaluated state for the dashboard.
ALTER TABLE odoo_sync.health_ping
    ADD COLUMN warnings        text[] NOT NULL DEFAULT '{}',
    ADD COLUMN api_key_expires date,
    ADD COLUMN run_id          text;
COMMENT ON COLUMN odoo_sync.health_ping.warnings IS
    'Reasons for amber found by a successful ping (e.g. a configured analytic plan is missing).';

-- One row per tenant, replaced by every health run: what the pill shows, and what alerting decided on.
CREATE TABLE odoo_sync.health_state (
    tenant_id      text        PRIMARY KEY,
    state          text        NOT NULL CHECK (state IN ('green', 'amber', 'red')),
    since          timestamptz,
    reasons        text[]      NOT NULL DEFAULT '{}',
    latency_ms     numeric(12, 3),
    error_class    text,
    last_error     text,
    last_ping_at   timestamptz,
    last_ok_at     timestamptz,
    server_version text,
    failures       integer     NOT NULL DEFAULT 0,
    evaluated_at   timestamptz NOT NULL
);
COMMENT ON TABLE odoo_sync.health_state IS
    'Latest evaluated health per tenant (written by the odoo_health DAG, read by the dashboard).';
CREATE INDEX health_incident_tenant ON odoo_sync.health_incident (tenant_id, failing_since DESC);
-- The state query looks up, per tenant, the last good and the last failed ping: keep both cheap.
CREATE INDEX health_ping_tenant_ok ON odoo_sync.health_ping (tenant_id, ts DESC) WHERE ok;
CREATE INDEX health_ping_tenant_failed ON odoo_sync.health_ping (tenant_id, ts DESC) WHERE NOT ok;
-- Retention deletes by age (288 pings per tenant per day).
CREATE INDEX health_ping_ts ON odoo_sync.health_ping (ts);
