"""The durable cursor: which source lines a run reads, and the high-water mark it moves after committing.

The schedule only says *when* to look. Every run that is not a backfill reads from the tenant's committed
mark minus a lookback (rows committed late) up to the run's end, so a skipped interval, a UI trigger with or
without a logical date, or a scheduler that was down changes nothing about what reaches Odoo. A backfill
replays its own data interval and never moves the mark. A new tenant starts from the beginning.

The mark is a row of ``odoo_sync.watermark``, read and written by ``odoo_sync.store.watermarks``; this module
plans the window and what the mark becomes.

Rows the cursor has passed are fingerprinted: if they change behind its back (an edit with a back-dated
``updated_at``, a deletion, a row committed later than the lookback), the next run reconciles in full.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import psycopg

from odoo_sync.store import watermarks
from odoo_sync.store.watermarks import Mark

BACKFILL = "backfill"


@dataclass(frozen=True, slots=True)
class Window:
    """What one run reads: ``[start, end)`` by ``updated_at`` (None: unbounded), or everything (``full``)."""

    start: datetime | None
    end: datetime | None
    advance_to: datetime | None  # the mark after the run's writes are committed (None: a backfill leaves it)
    full: bool = False  # a reconciliation: every source row; records whose row is gone are removed
    settled: tuple[datetime, str] | None = None  # the fingerprint the next run compares against
    why: str = ""

    def describe(self) -> str:
        if self.full:
            return f"every line (reconciliation: {self.why})"
        return f"lines changed in [{self.start or 'the beginning'}, {self.end or 'now'})"


def advance(conn: psycopg.Connection, tenant_id: str, entity_type: str, window: Window) -> None:
    """After the run's writes: move the mark forward (never back), store the fingerprint for the next run."""
    if window.advance_to is None:
        return
    settled_before, fingerprint = window.settled or (None, None)
    reconciled = window.advance_to if window.full else None
    watermarks.advance(conn, tenant_id, entity_type, Mark(window.advance_to, reconciled, settled_before, fingerprint))


def run_end(context: dict[str, Any]) -> datetime:
    """The latest of the run's data interval end and its run_after: a UI trigger's interval ends an hour ago."""
    dag_run = context.get("dag_run")
    candidates = [context.get("data_interval_end"), getattr(dag_run, "run_after", None), context.get("logical_date")]
    found = [t for t in candidates if t is not None]
    if not found:
        raise ValueError("the run has neither a data interval, a run_after nor a logical date")
    return max(found)


def is_backfill(context: dict[str, Any]) -> bool:
    run_type = getattr(context.get("dag_run"), "run_type", None)
    return str(getattr(run_type, "value", run_type)) == BACKFILL


def plan_window(
    context: dict[str, Any], mark: Mark, *, lookback: timedelta, reconcile_every: timedelta, force_full: bool
) -> Window:
    """The window of this run (see the module's docstring); the fingerprint check may widen it later."""
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if is_backfill(context) and start is not None and end is not None:
        return Window(start, end, None)
    end = run_end(context)
    if mark.watermark is None:
        return Window(None, None, end, full=True, why="first run of the tenant")
    if force_full:
        return Window(None, None, end, full=True, why="asked for by the run's params")
    if mark.reconciled_at is None or end - mark.reconciled_at >= reconcile_every:
        return Window(None, None, end, full=True, why=f"due (every {reconcile_every})")
    return Window(mark.watermark - lookback, end, end)


def settle(window: Window, mark: Mark, fingerprints: tuple[str | None, str], lookback: timedelta) -> Window:
    """Compare the passed rows' fingerprint with the stored one; keep the new one for the next run."""
    assert window.advance_to is not None
    now_settled, next_settled = fingerprints
    window = replace(window, settled=(window.advance_to - lookback, next_settled))
    if not window.full and mark.settled_fingerprint is not None and now_settled != mark.settled_fingerprint:
        return replace(window, start=None, end=None, full=True, why="rows the cursor had passed changed")
    return window
