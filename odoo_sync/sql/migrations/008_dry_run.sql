-- Dry runs: what a run would have done (per task: creates, writes, removals, money per report), kept so finance
-- can read and approve a big replay on the health page before anyone runs it for real.

CREATE TABLE odoo_sync.dry_run (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    dag_id     text,
    run_id     text,
    summary    jsonb       NOT NULL  -- DryRun.as_dict(): entities {counts, keys}, money {report: {code: amount}}
);
CREATE INDEX dry_run_tenant_idx ON odoo_sync.dry_run (tenant_id, created_at DESC);
COMMENT ON TABLE odoo_sync.dry_run IS 'One row per task of a dry run (the dry_run param): the plan, nothing sent.';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo_sync_writer') THEN
        GRANT SELECT, INSERT ON odoo_sync.dry_run TO odoo_sync_writer;
    END IF;
END $$;
