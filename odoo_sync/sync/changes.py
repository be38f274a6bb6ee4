"""Has the source changed since the last successful sync? The gate that makes a quiet run nearly free.

The source's *change marker* per tenant (``odoo_sync/sql/source/change_markers.sql``: row count, latest
``updated_at`` and the sum of the stamps over every table the sync reads) is what the triggerer's watcher
probes for the whole fleet, and what a run's first task reads for its tenant. A run whose marker equals the one
its tenant last synced, with no reconciliation due and no rejected row to retry, has nothing to send: it skips
every Odoo task (no Odoo call; one task launched). Manual runs, backfills and runs with params always go on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from odoo_sync.config import TenantConfig
from odoo_sync.store import markers, watermarks
from odoo_sync.store.records import RecordStore
from odoo_sync.sync import cursor, source
from odoo_sync.sync.specs import SPECS, SPENDING_LINE

ALWAYS_RUN = frozenset({"manual", "backfill"})  # someone asked: do the work
PARAMS_THAT_RUN = ("reconcile", "full_resync", "rebuild", "dry_run", "confirm_removals")


@dataclass(frozen=True, slots=True)
class SourceMarker:
    """One tenant's change marker as the probe reads it (``text`` is what is compared and stored)."""

    tenant_id: str
    row_count: int
    latest_change: datetime | None
    stamps: str

    @property
    def text(self) -> str:
        latest = self.latest_change.isoformat() if self.latest_change else "-"
        return f"{self.row_count}:{latest}:{self.stamps}"


def marker_of(row: tuple[Any, ...]) -> SourceMarker:
    """A probe row ``(tenant_id, row_count, latest_change, stamps)`` as a marker."""
    tenant_id, row_count, latest, stamps = row
    return SourceMarker(str(tenant_id), int(row_count or 0), latest, str(stamps or 0))


def empty_marker(tenant_id: str) -> SourceMarker:
    """A tenant the source has no row for (new, or everything deleted)."""
    return SourceMarker(tenant_id, 0, None, "0")


def read_marker(conn: psycopg.Connection, tenant_id: str) -> SourceMarker:
    """This tenant's marker (the fleet query, narrowed to one tenant).

    Not reported as lineage: counts and stamps are a probe, not data the run moves into Odoo.
    """
    row = conn.execute(source.query("change_markers"), {"tenants": [tenant_id]}).fetchone()  # type: ignore[arg-type]
    conn.commit()
    return marker_of(row) if row else empty_marker(tenant_id)


def config_stamp(tenant: TenantConfig) -> str:
    """A short hash of the tenant's config: a changed config (plan names, company...) is a change to sync."""
    return hashlib.sha256(tenant.model_dump_json().encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Decision:
    proceed: bool
    why: str


def decide(
    *,
    run_type: str,
    params: dict[str, Any],
    marker: str,
    synced: str | None,
    reconcile_due: bool,
    rejected: int,
) -> Decision:
    """Whether this run has Odoo work to do (pure; the order gives the reason a log line states)."""
    if run_type in ALWAYS_RUN:
        return Decision(True, f"a {run_type} run always syncs")
    asked = [name for name in PARAMS_THAT_RUN if params.get(name)]
    if asked:
        return Decision(True, f"params {', '.join(asked)}")
    if synced is None:
        return Decision(True, "nothing synced yet under a change marker")
    if reconcile_due:
        return Decision(True, "the reconciliation is due")
    if rejected:
        return Decision(True, f"{rejected} rejected row(s) to retry")
    if marker != synced:
        return Decision(True, "the source changed")
    return Decision(False, "the source has not changed since the last sync")


def check(
    conn: psycopg.Connection, source_conn: psycopg.Connection, tenant: TenantConfig, context: dict[str, Any]
) -> Decision:
    """Read the tenant's marker, decide, and record what was seen (pending when the run goes on)."""
    if not markers.table_exists(conn):  # a schema from before migration 010: the run's migrate task brings it
        conn.commit()
        return Decision(True, "the integration's schema is not migrated yet")
    found = read_marker(source_conn, tenant.tenant_id)
    marker = f"{found.text}|{config_stamp(tenant)}"
    stored = markers.read(conn, tenant.tenant_id)
    run_type = cursor.run_type(context)
    decision = decide(
        run_type=run_type,
        params=dict(context.get("params") or {}),
        marker=marker,
        synced=stored.synced_marker,
        reconcile_due=_reconcile_due(conn, tenant, context),
        rejected=_rejected(conn, tenant.tenant_id),
    )
    if run_type != "backfill":  # a backfill replays a range: not the cursor's state
        markers.note_seen(
            conn, tenant.tenant_id, marker, found.latest_change, cursor.run_end(context), pending=decision.proceed
        )
    return decision


def _reconcile_due(conn: psycopg.Connection, tenant: TenantConfig, context: dict[str, Any]) -> bool:
    mark = watermarks.read_mark(conn, tenant.tenant_id, SPENDING_LINE.entity_type)
    every = timedelta(hours=tenant.reconcile_every_hours)
    return cursor.reconcile_due(mark, cursor.run_end(context), every)


def _rejected(conn: psycopg.Connection, tenant_id: str) -> int:
    records = RecordStore(conn, tenant_id)
    count = sum(len(records.rejected_ids(entity)) for entity in SPECS)
    conn.commit()
    return count
