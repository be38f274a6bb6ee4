-- Integration health: one row per ping, and one row per red incident.
CREATE TABLE odoo_sync.health_ping (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id      text        NOT NULL,
    ts             timestamptz NOT NULL,
    ok             boolean     NOT NULL,
    latency_ms     numeric(12, 3),
    error_class    text,
    error          text,
    server_version text
);
CREATE INDEX health_ping_tenant_ts ON odoo_sync.health_ping (tenant_id, ts DESC);

CREATE TABLE odoo_sync.health_incident (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id      text        NOT NULL,
    failing_since  timestamptz NOT NULL,
    alerted_at     timestamptz,
    resolved_at    timestamptz,
    recovery_sent_at timestamptz,
    last_error     text
);
-- At most one open incident per tenant, so a retried or doubled health run cannot open two.
CREATE UNIQUE INDEX health_incident_open ON odoo_sync.health_incident (tenant_id) WHERE resolved_at IS NULL;
