"""odoo_sync.tenant_binding: which Odoo database (and which plans) each tenant is bound to; forgetting a tenant."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg

_SELECT = "SELECT tenant_id, odoo_identity, odoo_url, odoo_db, plans FROM odoo_sync.tenant_binding"
_INSERT = (
    "INSERT INTO odoo_sync.tenant_binding (tenant_id, odoo_identity, odoo_url, odoo_db, plans)"
    " VALUES (%s, %s, %s, %s, %s)"
)
_SET_IDENTITY = "UPDATE odoo_sync.tenant_binding SET odoo_identity = %s WHERE tenant_id = %s"
# A tenant's binding, records, cursor and ledger, in one statement: its next run starts afresh.
_FORGET = (
    "WITH b AS (DELETE FROM odoo_sync.tenant_binding WHERE tenant_id = %(t)s RETURNING 1),"
    " r AS (DELETE FROM odoo_sync.record WHERE tenant_id = %(t)s RETURNING 1),"
    " w AS (DELETE FROM odoo_sync.watermark WHERE tenant_id = %(t)s RETURNING 1),"
    " l AS (DELETE FROM odoo_sync.ledger WHERE tenant_id = %(t)s RETURNING 1)"
    " SELECT (SELECT count(*) FROM b) + (SELECT count(*) FROM r) + (SELECT count(*) FROM w)"
    " + (SELECT count(*) FROM l)"
)


@dataclass(frozen=True, slots=True)
class Binding:
    """A tenant_binding row. ``plans``: plan role -> {"id", "name"} of the plan its accounts live in."""

    tenant_id: str
    odoo_identity: str
    odoo_url: str
    odoo_db: str
    plans: dict[str, Any]


def all_bindings(conn: psycopg.Connection) -> dict[str, Binding]:
    """Every tenant's binding, by tenant id (inside the caller's transaction)."""
    return {r[0]: Binding(*r) for r in conn.execute(_SELECT).fetchall()}


def bind(conn: psycopg.Connection, binding: Binding) -> None:
    """Record a tenant's first binding (inside the caller's transaction)."""
    b = binding
    conn.execute(_INSERT, (b.tenant_id, b.odoo_identity, b.odoo_url, b.odoo_db, json.dumps(b.plans)))


def set_identity(conn: psycopg.Connection, tenant_id: str, identity: str) -> None:
    """Record a stronger identity of the same database (inside the caller's transaction)."""
    conn.execute(_SET_IDENTITY, (identity, tenant_id))


def forget(conn: psycopg.Connection, tenant_id: str) -> int:
    """Drop a tenant's binding, records, cursor and ledger: its next run starts afresh (e.g. a new Odoo)."""
    with conn.transaction():
        row = conn.execute(_FORGET, {"t": tenant_id}).fetchone()
    return int(row[0]) if row else 0
