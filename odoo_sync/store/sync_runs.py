"""odoo_sync.sync_run: when each tenant's sync last started a run and last completed one (what health reads).

The first task of a run that talks to Odoo records the start; the last task records the success once the
cursor has moved. The health DAG compares the success with the tenant's schedule (``health.state``), so a
tenant whose sync stopped (a stuck or failing run, a paused DAG, a blocked pool, a run dated in the future)
turns amber, then red, even while its Odoo answers every ping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg


@dataclass(frozen=True, slots=True)
class SyncRun:
    """A tenant's row: its last successful run and its last started one (None: never)."""

    last_success_at: datetime | None = None
    last_success_run: str | None = None
    last_started_at: datetime | None = None
    last_started_run: str | None = None


_UPSERT = """
INSERT INTO odoo_sync.sync_run (tenant_id, last_{what}_at, last_{what}_run) VALUES (%s, %s, %s)
ON CONFLICT (tenant_id) DO UPDATE SET last_{what}_at = EXCLUDED.last_{what}_at,
    last_{what}_run = EXCLUDED.last_{what}_run
"""


def record_start(conn: psycopg.Connection, tenant_id: str, run_id: str | None, at: datetime) -> None:
    """A run of the tenant started talking to Odoo."""
    conn.execute(_UPSERT.format(what="started"), (tenant_id, at, run_id))  # type: ignore[arg-type]
    conn.commit()


def record_success(conn: psycopg.Connection, tenant_id: str, run_id: str | None, at: datetime) -> None:
    """A run of the tenant completed its last step (its writes and the cursor are committed)."""
    conn.execute(_UPSERT.format(what="success"), (tenant_id, at, run_id))  # type: ignore[arg-type]
    conn.commit()


def load(conn: psycopg.Connection, tenant_ids: Sequence[str]) -> dict[str, SyncRun]:
    """The rows of these tenants (a tenant without one has never started a run)."""
    rows = conn.execute(
        "SELECT tenant_id, last_success_at, last_success_run, last_started_at, last_started_run"
        " FROM odoo_sync.sync_run WHERE tenant_id = ANY(%s)",
        (list(tenant_ids),),
    ).fetchall()
    conn.commit()
    return {r[0]: SyncRun(*r[1:]) for r in rows}
