-- The audit trail and the idempotency ledger.
CREATE SCHEMA IF NOT EXISTS odoo_sync;

CREATE TABLE odoo_sync.sync_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts              timestamptz NOT NULL DEFAULT clock_timestamp(),
    tenant_id       text        NOT NULL,
    entity_type     text,
    entity_id       text,
    operation       text,
    idempotency_key text,
    odoo_model      text,
    method          text        NOT NULL,
    http_status     integer,
    response_bytes  integer,
    latency_ms      numeric(12, 3),
    outcome         text        NOT NULL CHECK (outcome IN ('ok', 'skipped', 'error')),
    error           text,
    odoo_id         bigint,
    call_id         uuid,
    dag_id          text,
    run_id          text,
    try_number      integer
);
COMMENT ON TABLE odoo_sync.sync_log IS
    'One row per entity per Odoo call (batched calls share call_id). Append-only; secrets scrubbed before insert.';
CREATE INDEX sync_log_tenant_ts ON odoo_sync.sync_log (tenant_id, ts DESC);
CREATE INDEX sync_log_key ON odoo_sync.sync_log (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX sync_log_errors ON odoo_sync.sync_log (tenant_id, ts DESC) WHERE outcome = 'error';
CREATE INDEX sync_log_ts ON odoo_sync.sync_log (ts);

-- Append-only: updates are always refused; deletes only by the retention job, which sets
-- odoo_sync.retention = 'on' for its own transaction.
CREATE FUNCTION odoo_sync.sync_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('odoo_sync.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'odoo_sync.sync_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER sync_log_append_only BEFORE UPDATE OR DELETE ON odoo_sync.sync_log
    FOR EACH ROW EXECUTE FUNCTION odoo_sync.sync_log_append_only();
CREATE TRIGGER sync_log_no_truncate BEFORE TRUNCATE ON odoo_sync.sync_log
    FOR EACH STATEMENT EXECUTE FUNCTION odoo_sync.sync_log_append_only();

CREATE TABLE odoo_sync.ledger (
    idempotency_key text        PRIMARY KEY,
    tenant_id       text        NOT NULL,
    entity_type     text        NOT NULL,
    entity_id       text        NOT NULL,
    operation       text        NOT NULL,
    odoo_model      text        NOT NULL,
    odoo_id         bigint,
    state           text        NOT NULL CHECK (state IN ('pending', 'done', 'error')),
    error           text,
    attempts        integer     NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (idempotency_key = tenant_id || ':' || entity_type || ':' || entity_id || ':' || operation),
    CHECK (state <> 'done' OR odoo_id IS NOT NULL)
);
COMMENT ON TABLE odoo_sync.ledger IS
    'Idempotency ledger: a key is pending before its Odoo call and done (with the Odoo id) after it.';
CREATE INDEX ledger_entity ON odoo_sync.ledger (tenant_id, entity_type, entity_id);
CREATE INDEX ledger_pending ON odoo_sync.ledger (tenant_id) WHERE state = 'pending';
