-- Where each tenant's last successful sync of an entity got to (used by manual, interval-less runs).
CREATE TABLE odoo_sync.watermark (
    tenant_id   text        NOT NULL,
    entity_type text        NOT NULL,
    watermark   timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entity_type)
);
