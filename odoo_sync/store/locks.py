"""PostgreSQL advisory locks on the integration's database: what runs of the sync take turns on.

Every writer of a tenant's records (the sync's steps, the drift check, which resets the records' seen marks,
and drift repair) takes the tenant's lock. The wait is bounded: a run that cannot have it within ``LOCK_WAIT``
gives up with ``TenantBusy`` naming the tenant and who holds the lock, and Airflow retries it later, so a
backfill queued behind a long run frees its pool slot instead of holding it while it waits.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import psycopg

from odoo_sync.errors import ErrorClass, OdooTransientError

LOCK_WAIT = timedelta(minutes=10)
_KEY = "hashtextextended('odoo_sync:' || %s, 0)"
_HOLDER = f"""
SELECT l.pid, h.holder, h.since, a.backend_start
FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid
LEFT JOIN odoo_sync.tenant_lock_holder h ON h.tenant_id = %s AND h.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (
      SELECT oid FROM pg_database WHERE datname = current_database())
  AND ((l.classid::bigint << 32) | l.objid::bigint) = {_KEY}
LIMIT 1
"""  # noqa: S608 - a fixed fragment; values are parameters


class TenantBusy(OdooTransientError):
    """Another run held the tenant's lock for the whole wait: retried by Airflow (an AirflowException)."""

    error_class = ErrorClass.TIMEOUT


def lock_tenant(conn: psycopg.Connection, tenant_id: str, wait: timedelta = LOCK_WAIT) -> None:
    """Two runs of one tenant (a scheduled run and a backfill) take turns; other tenants never wait.

    A session lock, held until the connection closes (the end of the task's session); waited for at most
    ``wait``, then ``TenantBusy``.
    """
    timeout_ms = max(1, int(wait.total_seconds() * 1000))
    try:
        conn.execute("SELECT set_config('lock_timeout', %s, true)", (f"{timeout_ms}ms",))  # this transaction only
        conn.execute(f"SELECT pg_advisory_lock({_KEY})", (tenant_id,))
    except psycopg.errors.LockNotAvailable:
        conn.rollback()
        raise TenantBusy(busy_message(conn, tenant_id, wait)) from None
    conn.commit()


def record_holder(conn: psycopg.Connection, tenant_id: str, holder: str) -> None:
    """Say who holds the tenant's lock (the caller holds it): what a waiter that gives up names."""
    conn.execute(
        "INSERT INTO odoo_sync.tenant_lock_holder (tenant_id, pid, holder, since)"
        " VALUES (%s, pg_backend_pid(), %s, now()) ON CONFLICT (tenant_id) DO UPDATE"
        " SET pid = EXCLUDED.pid, holder = EXCLUDED.holder, since = EXCLUDED.since",
        (tenant_id, holder),
    )
    conn.commit()


def busy_message(conn: psycopg.Connection, tenant_id: str, wait: timedelta) -> str:
    """Tenant, how long this run waited, and who holds the lock (run, task, since when, backend pid)."""
    row = conn.execute(_HOLDER, (tenant_id, tenant_id)).fetchone()
    conn.rollback()
    waited = f"tenant {tenant_id}: its lock was not free within {wait}"
    if row is None:
        return f"{waited} (its holder has just let go); this task is retried"
    pid, holder, since, backend_start = row
    started = (since or backend_start).astimezone(UTC)
    who = holder or "a session that did not say who it is"
    return f"{waited}: held by {who} since {started:%Y-%m-%d %H:%M:%S} UTC (pid {pid}); this task is retried"


def lock_bindings(conn: psycopg.Connection) -> None:
    """Serialise binding checks of all tenants until the caller's transaction ends (two tenants, one Odoo)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('odoo_sync:binding', 0))")
