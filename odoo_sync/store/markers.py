"""odoo_sync.change_marker: per tenant, the source's change marker as last seen and as last synced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

_READ = (
    "SELECT seen_marker, latest_change, seen_at, pending_marker, synced_marker, synced_at"
    " FROM odoo_sync.change_marker WHERE tenant_id = %s"
)
_SEEN = (
    "INSERT INTO odoo_sync.change_marker AS m (tenant_id, seen_marker, latest_change, seen_at, pending_marker)"
    " VALUES (%(tenant)s, %(marker)s, %(latest)s, %(at)s, %(pending)s)"
    " ON CONFLICT (tenant_id) DO UPDATE SET seen_marker = EXCLUDED.seen_marker,"
    " latest_change = EXCLUDED.latest_change, seen_at = EXCLUDED.seen_at,"
    " pending_marker = COALESCE(EXCLUDED.pending_marker, m.pending_marker)"
)
_SYNCED = (
    "UPDATE odoo_sync.change_marker SET synced_marker = pending_marker, synced_at = %s, pending_marker = NULL"
    " WHERE tenant_id = %s AND pending_marker IS NOT NULL AND (latest_change IS NULL OR latest_change < %s)"
)


@dataclass(frozen=True, slots=True)
class Markers:
    """A tenant's row (all None: no run has looked yet)."""

    seen_marker: str | None = None
    latest_change: datetime | None = None
    seen_at: datetime | None = None
    pending_marker: str | None = None
    synced_marker: str | None = None
    synced_at: datetime | None = None


def read(conn: psycopg.Connection, tenant_id: str) -> Markers:
    """The tenant's markers; an empty ``Markers`` when none is stored (the gate checks the table is there first)."""
    row = conn.execute(_READ, (tenant_id,)).fetchone()
    conn.commit()
    return Markers(*row) if row else Markers()


def note_seen(
    conn: psycopg.Connection,
    tenant_id: str,
    marker: str,
    latest_change: datetime | None,
    at: datetime,
    *,
    pending: bool,
) -> None:
    """Record what a run saw; ``pending``: the run goes on to sync it (it becomes synced when the run succeeds)."""
    params = {"tenant": tenant_id, "marker": marker, "latest": latest_change, "at": at}
    conn.execute(_SEEN, {**params, "pending": marker if pending else None})
    conn.commit()


def mark_synced(conn: psycopg.Connection, tenant_id: str, at: datetime, read_until: datetime) -> None:
    """The run's writes are committed: what its gate saw is now synced.

    Only when the run read past the source's latest change its gate saw (``read_until``, the window's end): a
    row stamped later is in the marker but not in Odoo yet, so the next run must not take the marker as synced.
    """
    conn.execute(_SYNCED, (at, tenant_id, read_until))  # after the run's migrate task: the table is there
    conn.commit()


def table_exists(conn: psycopg.Connection) -> bool:
    """Whether migrations 009-010 are applied (a run's first task may come before its migrate task)."""
    row = conn.execute("SELECT to_regclass('odoo_sync.change_marker') IS NOT NULL").fetchone()
    return bool(row and row[0])
