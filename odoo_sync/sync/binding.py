"""Bind a tenant to one Odoo database and to the plans its accounts live in; refuse silent changes of either."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from odoo_sync.errors import OdooPermanentError, OdooSetupError
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.models import CONFIG_PARAMETER
from odoo_sync.sync.context import OdooContext

_SELECT = "SELECT tenant_id, odoo_identity, odoo_url, odoo_db, plans FROM odoo_sync.tenant_binding"
_INSERT = (
    "INSERT INTO odoo_sync.tenant_binding (tenant_id, odoo_identity, odoo_url, odoo_db, plans)"
    " VALUES (%s, %s, %s, %s, %s)"
)
_FORGET = (
    "WITH b AS (DELETE FROM odoo_sync.tenant_binding WHERE tenant_id = %(t)s RETURNING 1),"
    " r AS (DELETE FROM odoo_sync.record WHERE tenant_id = %(t)s RETURNING 1),"
    " w AS (DELETE FROM odoo_sync.watermark WHERE tenant_id = %(t)s RETURNING 1),"
    " l AS (DELETE FROM odoo_sync.ledger WHERE tenant_id = %(t)s RETURNING 1)"
    " SELECT (SELECT count(*) FROM b) + (SELECT count(*) FROM r) + (SELECT count(*) FROM w)"
    " + (SELECT count(*) FROM l)"
)
FORGET_HINT = "python -m odoo_sync.sync.binding forget {tenant}"


def odoo_identity(hook: OdooHook) -> str:
    """The database's own uuid (system parameter ``database.uuid``); url|db where the user may not read it."""
    endpoint = hook.endpoint()
    try:
        value = hook.execute(CONFIG_PARAMETER, "get_param", ["database.uuid"])
    except OdooPermanentError as exc:
        if exc.error_class != "access":
            raise
        value = None
    return f"uuid:{value}" if value else f"url:{endpoint.url.rstrip('/').lower()}|{endpoint.db}"


def check_binding(conn: psycopg.Connection, tenant_id: str, hook: OdooHook, octx: OdooContext) -> None:
    """First run: bind. Later runs: the same Odoo database and the same plans, or a clear error."""
    endpoint = hook.endpoint()
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('odoo_sync:binding', 0))")
        rows = {r[0]: r for r in conn.execute(_SELECT).fetchall()}
        mine = rows.get(tenant_id)
        other = next((r for r in rows.values() if r[1] == octx.odoo_identity and r[0] != tenant_id), None)
        if other is not None:
            raise OdooSetupError(
                f"tenant {tenant_id}: its connection reaches the Odoo database {endpoint.db!r} that tenant "
                f"{other[0]!r} already syncs into ({other[2]}, database {other[3]!r}). One tenant per Odoo "
                f"database: account codes and line markers would collide. Point {hook.odoo_conn_id!r} at the "
                f"tenant's own Odoo."
            )
        if mine is None:
            conn.execute(_INSERT, (tenant_id, octx.odoo_identity, endpoint.url, endpoint.db, json.dumps(_plans(octx))))
            return
        _same_database(tenant_id, mine, endpoint.url, endpoint.db, octx.odoo_identity)
        _same_plans(tenant_id, mine[4], _plans(octx))


def _plans(octx: OdooContext) -> dict[str, dict[str, Any]]:
    return {role: {"id": p.id, "name": p.name} for role, p in octx.plans.items()}


def _same_database(tenant_id: str, bound: Any, url: str, db: str, identity: str) -> None:
    if bound[1] != identity:
        raise OdooSetupError(
            f"tenant {tenant_id}: bound to the Odoo database {bound[3]!r} at {bound[2]}, but its connection now "
            f"reaches another database ({db!r} at {url}). The ledger's record ids belong to the first one. Point "
            f"the connection back; if the tenant really moved to a new Odoo, run "
            f"`{FORGET_HINT.format(tenant=tenant_id)}` and the next run creates everything there."
        )


def _same_plans(tenant_id: str, bound: dict[str, Any], resolved: dict[str, dict[str, Any]]) -> None:
    for role, plan in resolved.items():
        old = bound.get(role)
        if old is not None and int(old["id"]) != plan["id"]:
            raise OdooSetupError(
                f"tenant {tenant_id}: plan role {role!r} now resolves to plan {plan['name']!r} (id {plan['id']}), "
                f"but the tenant's accounts live in plan {old['name']!r} (id {old['id']}). Moving accounts between "
                f"plans would leave finance's lines in the wrong column, so the sync stops. Set plans.{role} in "
                f"tenants.yaml back to {old['name']!r} (or rename the plan in Odoo back), then re-run."
            )


def forget(conn: psycopg.Connection, tenant_id: str) -> int:
    """Drop a tenant's binding, records, cursor and ledger: its next run starts afresh (e.g. a new Odoo)."""
    with conn.transaction():
        row = conn.execute(_FORGET, {"t": tenant_id}).fetchone()
    return int(row[0]) if row else 0


def main(argv: list[str] | None = None) -> None:
    import argparse

    from odoo_sync.store import db

    parser = argparse.ArgumentParser(description="Tenant bindings to Odoo databases.")
    parser.add_argument("action", choices=["forget"])
    parser.add_argument("tenant_id")
    parser.add_argument("--yes", action="store_true", help="really forget (the next run recreates everything)")
    args = parser.parse_args(argv)
    if not args.yes:
        raise SystemExit(f"add --yes: forgetting {args.tenant_id} makes its next run create every record anew")
    with db.connect() as conn:
        print(f"tenant {args.tenant_id}: {forget(conn, args.tenant_id)} rows removed")


if __name__ == "__main__":
    main()
