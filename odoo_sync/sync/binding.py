"""Bind a tenant to one Odoo database and to the plans its accounts live in; refuse silent changes of either.

The database's identity is its ``database.uuid``, which Odoo lets administrators read only. For an integration
user without admin rights the identity falls back to the connection's URL and database name (``url:...|db``),
which cannot tell one database reached through two URLs (another port, scheme or host alias) from two databases,
nor a database dropped and restored under the same name from the old one. So a change between the two kinds,
at the same URL and database name, is the same database (the user was made admin, or lost admin): the uuid is
recorded when it becomes readable and kept when it no longer is; any other change stops the tenant.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

import psycopg

from odoo_sync.errors import OdooPermanentError, OdooSetupError
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.models import CONFIG_PARAMETER
from odoo_sync.store import bindings, locks
from odoo_sync.store.bindings import Binding, forget
from odoo_sync.sync.context import OdooContext

FORGET_HINT = "python -m odoo_sync.sync.binding forget {tenant}"
log = logging.getLogger(__name__)


class IdentityChange(Enum):
    """How the database a tenant's connection reaches compares with the one it is bound to."""

    SAME = "same"
    UUID_NOW_READABLE = "uuid now readable"  # bound by url|db; the user may now read database.uuid: record it
    UUID_NO_LONGER_READABLE = "uuid no longer readable"  # bound by uuid; the user lost admin: keep the uuid
    ANOTHER = "another database"


def odoo_identity(hook: OdooHook) -> str:
    """The database's own uuid (system parameter ``database.uuid``); url|db where the user may not read it."""
    endpoint = hook.endpoint()
    try:
        value = hook.execute(CONFIG_PARAMETER, "get_param", ["database.uuid"])
    except OdooPermanentError as exc:
        if exc.error_class != "access":
            raise
        value = None
    return f"uuid:{value}" if value else endpoint_identity(endpoint.url, endpoint.db)


def endpoint_identity(url: str, db: str) -> str:
    """The fallback identity: the connection's URL and database name, all a non-admin user can read."""
    return f"url:{url.rstrip('/').lower()}|{db}"


def identity_change(bound: Binding, url: str, db: str, identity: str) -> IdentityChange:
    """Compare the bound database with the one reached now (pure)."""
    if bound.odoo_identity == identity:
        return IdentityChange.SAME
    if endpoint_identity(bound.odoo_url, bound.odoo_db) != endpoint_identity(url, db):
        return IdentityChange.ANOTHER  # another identity at another address: nothing says it is the same
    if bound.odoo_identity.startswith("url:") and identity.startswith("uuid:"):
        return IdentityChange.UUID_NOW_READABLE
    if bound.odoo_identity.startswith("uuid:") and identity.startswith("url:"):
        return IdentityChange.UUID_NO_LONGER_READABLE
    return IdentityChange.ANOTHER  # two different uuids at one address: the database was replaced


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
        _same_database(conn, tenant_id, mine, endpoint.url, endpoint.db, octx.odoo_identity)
        _same_plans(tenant_id, mine.plans, _plans(octx))


def _plans(octx: OdooContext) -> dict[str, dict[str, Any]]:
    return {role: {"id": p.id, "name": p.name} for role, p in octx.plans.items()}


def _same_database(
    conn: psycopg.Connection, tenant_id: str, bound: Binding, url: str, db: str, identity: str
) -> None:
    change = identity_change(bound, url, db, identity)
    if change is IdentityChange.UUID_NOW_READABLE:
        bindings.set_identity(conn, tenant_id, identity)
        log.info("tenant %s: database.uuid now readable at %s (%s): recorded as its identity", tenant_id, url, db)
    elif change is IdentityChange.UUID_NO_LONGER_READABLE:
        log.warning(
            "tenant %s: database.uuid no longer readable (the integration user lost admin rights): only the URL "
            "and database name %r are checked until it is readable again",
            tenant_id,
            db,
        )
    elif change is IdentityChange.ANOTHER:
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
    # Forgetting deletes rows: a least-privilege deployment runs it with the schema owner's connection.
    parser.add_argument("--conn-id", default=db.DEFAULT_DB_CONN_ID, help="Airflow connection of the database")
    parser.add_argument("--dsn", help="libpq connection string instead of an Airflow connection (the owner's)")
    args = parser.parse_args(argv)
    if not args.yes:
        raise SystemExit(
            f"add --yes: forgetting {args.tenant_id} makes its next run rebuild its records from the Odoo its "
            f"connection reaches (what that Odoo holds of ours is adopted, what it lacks is created)"
        )
    with psycopg.connect(args.dsn or db.conninfo_for(args.conn_id)) as conn:
        print(f"tenant {args.tenant_id}: {forget(conn, args.tenant_id)} rows removed")


if __name__ == "__main__":
    main()
