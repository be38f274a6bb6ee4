"""PostgreSQL advisory locks on the integration's database: what runs of the sync take turns on."""

from __future__ import annotations

import psycopg


def lock_tenant(conn: psycopg.Connection, tenant_id: str) -> None:
    """Two runs of one tenant (a scheduled run and a backfill) take turns; other tenants never wait.

    A session lock, held until the connection closes (the end of the task's session).
    """
    conn.execute("SELECT pg_advisory_lock(hashtextextended('odoo_sync:' || %s, 0))", (tenant_id,))
    conn.commit()


def lock_bindings(conn: psycopg.Connection) -> None:
    """Serialise binding checks of all tenants until the caller's transaction ends (two tenants, one Odoo)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('odoo_sync:binding', 0))")
