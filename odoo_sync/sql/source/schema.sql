-- The source contract: what togrant-odoo-sync reads from the grant platform (read-only), one row set per
-- tenant_id. The platform may expose these as tables or as views of the same shape.
CREATE SCHEMA IF NOT EXISTS togrant;

CREATE TABLE IF NOT EXISTS togrant.projects (
    tenant_id  text        NOT NULL,
    code       text        NOT NULL,              -- e.g. PRJ-001
    name       text        NOT NULL,              -- e.g. Civic Voices Uganda
    status     text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE IF NOT EXISTS togrant.budget_categories (
    tenant_id  text        NOT NULL,
    code       text        NOT NULL,              -- HR, TRV, EQP, IND
    name       text        NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE IF NOT EXISTS togrant.budget_lines (
    tenant_id     text        NOT NULL,
    project_code  text        NOT NULL,
    code          text        NOT NULL,           -- e.g. 1.1.1.a
    name          text        NOT NULL,           -- e.g. Project Director
    category_code text        NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, project_code, code)
);

CREATE TABLE IF NOT EXISTS togrant.spending_lines (
    tenant_id        text          NOT NULL,
    id               text          NOT NULL,
    project_code     text,
    budget_line_code text,
    date             date,
    description      text,
    amount           text,                         -- text on purpose: the sync validates it
    currency         text,
    status           text          NOT NULL DEFAULT 'posted',   -- posted | void
    revision         integer       NOT NULL DEFAULT 1,
    updated_at       timestamptz   NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS spending_lines_changed ON togrant.spending_lines (tenant_id, updated_at);
