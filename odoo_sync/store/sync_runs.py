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


_RECORD_START = """
INSERT INTO odoo_sync.sync_run (tenant_id, last_started_at, last_started_run) VALUES (%s, %s, %s)
ON CONFLICT (tenant_id) DO UPDATE SET last_started_at = EXCLUDED.last_started_at,
    last_started_run = EXCLUDED.last_started_run
"""

_RECORD_SUCCESS = """
INSERT INTO odoo_sync.sync_run (tenant_id, last_success_at, last_success_run) VALUES (%s, %s, %s)
ON CONFLICT (tenant_id) DO UPDATE SET last_success_at = EXCLUDED.last_success_at,
    last_success_run = EXCLUDED.last_success_run
"""


def record_start(conn: psycopg.Connection, tenant_id: str, run_id: str | None, at: datetime) -> None:
    """A run of the tenant started talking to Odoo."""
    conn.execute(_RECORD_START, (tenant_id, at, run_id))
    conn.commit()


def record_success(conn: psycopg.Connection, tenant_id: str, run_id: str | None, at: datetime) -> None:
    """A run of the tenant completed its last step (its writes and the cursor are committed)."""
    conn.execute(_RECORD_SUCCESS, (tenant_id, at, run_id))
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
