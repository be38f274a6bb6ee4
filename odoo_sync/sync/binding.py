"""Bind a tenant to one Odoo database and to the plans its accounts live in; refuse silent changes of either."""

from __future__ import annotations

from typing import Any

import psycopg

from odoo_sync.errors import OdooPermanentError, OdooSetupError
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.models import CONFIG_PARAMETER
from odoo_sync.store import bindings, locks
from odoo_sync.store.bindings import Binding, forget
from odoo_sync.sync.context import OdooContext

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
        locks.lock_bindings(conn)
        rows = bindings.all_bindings(conn)
        mine = rows.get(tenant_id)
        other = next(
            (b for b in rows.values() if b.odoo_identity == octx.odoo_identity and b.tenant_id != tenant_id), None
        )
        if other is not None:
            raise OdooSetupError(
                f"tenant {tenant_id}: its connection reaches the Odoo database {endpoint.db!r} that tenant "
                f"{other.tenant_id!r} already syncs into ({other.odoo_url}, database {other.odoo_db!r}). "
                f"One tenant per Odoo "
                f"database: account codes and line markers would collide. Point {hook.odoo_conn_id!r} at the "
                f"tenant's own Odoo."
            )
        if mine is None:
            bindings.bind(conn, Binding(tenant_id, octx.odoo_identity, endpoint.url, endpoint.db, _plans(octx)))
            return
        _same_database(tenant_id, mine, endpoint.url, endpoint.db, octx.odoo_identity)
        _same_plans(tenant_id, mine.plans, _plans(octx))


def _plans(octx: OdooContext) -> dict[str, dict[str, Any]]:
    return {role: {"id": p.id, "name": p.name} for role, p in octx.plans.items()}


def _same_database(tenant_id: str, bound: Binding, url: str, db: str, identity: str) -> None:
    if bound.odoo_identity != identity:
        raise OdooSetupError(
            f"tenant {tenant_id}: bound to the Odoo database {bound.odoo_db!r} at {bound.odoo_url}, "
            f"but its connection now "
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


def main(argv: list[str] | None = None) -> None:
    import argparse

    from odoo_sync.store import db

    parser = argparse.ArgumentParser(description="Tenant bindings to Odoo databases.")
    parser.add_argument("action", choices=["forget"])
    parser.add_argument("tenant_id")
    parser.add_argument("--yes", action="store_true", help="really forget (the next run rebuilds from Odoo)")
    args = parser.parse_args(argv)
    if not args.yes:
        raise SystemExit(
            f"add --yes: forgetting {args.tenant_id} makes its next run rebuild its records from the Odoo its "
            f"connection reaches (what that Odoo holds of ours is adopted, what it lacks is created)"
        )
    with db.connect() as conn:
        print(f"tenant {args.tenant_id}: {forget(conn, args.tenant_id)} rows removed")


if __name__ == "__main__":
    main()
