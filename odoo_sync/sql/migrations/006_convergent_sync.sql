-- Converge on the source: what each Odoo record last received, which Odoo database a tenant is bound to,
-- and when a tenant was last reconciled in full.

-- One row per source entity the sync has seen: the Odoo record standing for it and the values Odoo last
-- received from us. A write happens when the planned values differ from `vals_hash`, whatever the source's
-- revision says. `error` is set while the source row is rejected: such rows are retried on every run.
CREATE TABLE odoo_sync.record (
    tenant_id   text        NOT NULL,
    entity_type text        NOT NULL,
    entity_id   text        NOT NULL,
    odoo_model  text        NOT NULL,
    odoo_id     bigint,                          -- the live Odoo record, NULL when absent
    state       text        NOT NULL CHECK (state IN ('present', 'absent')),
    generation  integer     NOT NULL DEFAULT 0,  -- creates so far: a restored line is generation 2, ...
    writes      integer     NOT NULL DEFAULT 0,  -- writes so far: numbers the write keys
    vals_hash   text,                            -- NULL: unknown (written before this table existed)
    vals        jsonb,
    parent      text,                            -- the entity whose accounts this record's values carry
    error       text,
    in_source   boolean     NOT NULL DEFAULT true,  -- false once the source row is deleted
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entity_type, entity_id),
    CHECK (state <> 'present' OR odoo_id IS NOT NULL)
);
COMMENT ON TABLE odoo_sync.record IS
    'Per source entity: its Odoo record and the values last written there (the sync writes only differences).';
CREATE INDEX record_parent ON odoo_sync.record (tenant_id, entity_type, parent) WHERE state = 'present';
CREATE INDEX record_rejected ON odoo_sync.record (tenant_id, entity_type) WHERE error IS NOT NULL;

-- What the ledger knew before this table: records created and not removed, with unknown values.
INSERT INTO odoo_sync.record (tenant_id, entity_type, entity_id, odoo_model, odoo_id, state, generation)
SELECT c.tenant_id, c.entity_type, c.entity_id, c.odoo_model, c.odoo_id,
       CASE WHEN u.idempotency_key IS NULL THEN 'present' ELSE 'absent' END, 1
FROM odoo_sync.ledger c
LEFT JOIN odoo_sync.ledger u
       ON u.tenant_id = c.tenant_id AND u.entity_type = c.entity_type AND u.entity_id = c.entity_id
      AND u.operation = 'unlink' AND u.state = 'done'
WHERE c.operation = 'create' AND c.state = 'done';

-- One tenant per Odoo database, and the plans its accounts live in: a change is an error, not a rewrite.
CREATE TABLE odoo_sync.tenant_binding (
    tenant_id     text        PRIMARY KEY,
    odoo_identity text        NOT NULL UNIQUE,   -- the database's `database.uuid` (or url|db when unreadable)
    odoo_url      text        NOT NULL,
    odoo_db       text        NOT NULL,
    plans         jsonb       NOT NULL,          -- role -> {"id": ..., "name": ...}
    bound_at      timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE odoo_sync.tenant_binding IS
    'Which Odoo database and plans each tenant writes to; a second tenant on the same database is refused.';

-- The durable cursor gets the time of the last full reconciliation beside the high-water mark.
ALTER TABLE odoo_sync.watermark ALTER COLUMN watermark DROP NOT NULL;
ALTER TABLE odoo_sync.watermark ADD COLUMN reconciled_at timestamptz;
-- A fingerprint of the source rows the cursor will not read again (updated before `settled_before`): when it
-- changes (a back-dated edit, a deletion, a row committed later than the lookback) the next run reconciles.
ALTER TABLE odoo_sync.watermark ADD COLUMN settled_before timestamptz;
ALTER TABLE odoo_sync.watermark ADD COLUMN settled_fingerprint text;
COMMENT ON TABLE odoo_sync.watermark IS
    'Durable cursor per tenant and entity: read from watermark minus the lookback; advanced after commits.';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo_sync_writer') THEN
        GRANT SELECT, INSERT, UPDATE ON odoo_sync.record, odoo_sync.tenant_binding TO odoo_sync_writer;
    END IF;
END $$;
