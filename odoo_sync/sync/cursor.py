"""The durable cursor: which source lines a run reads, and the high-water mark it moves after committing.

The schedule only says *when* to look. Every run that is not a backfill reads from the tenant's committed
mark minus a lookback (rows committed late) up to the run's end, so a skipped interval, a UI trigger with or
without a logical date, or a scheduler that was down changes nothing about what reaches Odoo. A backfill
replays its own data interval and never moves the mark. A new tenant starts from the beginning.

The mark is a row of ``odoo_sync.watermark``, read and written by ``odoo_sync.store.watermarks``; this module
plans the window and what the mark becomes.

The mark never passes the clock: a run whose logical date or interval lies ahead of ``now`` (beyond
``FUTURE_TOLERANCE``, for clock skew) is refused with ``FutureRun`` before it reads or writes anything, and
the mark a run moves to is bounded by ``now`` (under ``dag.test()`` too, where nothing else stops such a run).

Rows the cursor has passed are fingerprinted: if they change behind its back (an edit with a back-dated
``updated_at``, a deletion, a row committed later than the lookback), the next run reconciles in full.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import psycopg

from odoo_sync.errors import ErrorClass, OdooPermanentError
from odoo_sync.store import watermarks
from odoo_sync.store.watermarks import Mark

BACKFILL = "backfill"
FUTURE_TOLERANCE = timedelta(minutes=5)  # clock skew between the scheduler and a worker


class FutureRun(OdooPermanentError):
    """A run dated ahead of the clock (a typo in the trigger form): failed at once, never retried."""

    error_class = ErrorClass.CONFIG


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
    end = _latest_date(context)
    if end is None:
        raise ValueError("the run has neither a data interval, a run_after nor a logical date")
    return end


def _latest_date(context: dict[str, Any]) -> datetime | None:
    """The latest of the run's interval end, run_after and logical date; None when it has none of them."""
    dag_run = context.get("dag_run")
    candidates = [context.get("data_interval_end"), getattr(dag_run, "run_after", None), context.get("logical_date")]
    return max((t for t in candidates if t is not None), default=None)


def refuse_future_run(tenant_id: str, context: dict[str, Any], now: datetime) -> None:
    """Fail fast when the run's logical date or interval end is ahead of ``now`` by more than the tolerance.

    A context with no date at all (a task body called outside a DAG run) is not dated, so not in the future.
    """
    end = _latest_date(context)
    if end is None or end - now <= FUTURE_TOLERANCE:
        return
    raise FutureRun(
        f"tenant {tenant_id}: run {context.get('run_id')} is dated {end.isoformat()}, {end - now} ahead of the "
        f"clock ({now.isoformat()}): a logical date typed into the trigger form? Such a run would move the "
        "cursor past rows not yet written and hold the tenant's only run slot. Mark it failed (or delete it) "
        "and trigger again without a logical date, or with one in the past."
    )


def run_type(context: dict[str, Any]) -> str:
    """The run's type as Airflow names it (scheduled, manual, backfill, asset_triggered); "" outside a run."""
    value = getattr(context.get("dag_run"), "run_type", None)
    return str(getattr(value, "value", value) or "")


def is_backfill(context: dict[str, Any]) -> bool:
    return run_type(context) == BACKFILL


def reconcile_due(mark: Mark, end: datetime, every: timedelta) -> bool:
    """A full reconciliation is due at ``end``: none done yet, or the last one is ``every`` old."""
    return mark.reconciled_at is None or end - mark.reconciled_at >= every


def plan_window(
    context: dict[str, Any],
    mark: Mark,
    *,
    lookback: timedelta,
    reconcile_every: timedelta,
    force_full: bool,
    now: datetime,
    tenant_id: str = "",
) -> Window:
    """The window of this run (see the module's docstring); the fingerprint check may widen it later.

    ``now`` is the task's clock: a run dated ahead of it is refused, and the window never ends after it.
    """
    refuse_future_run(tenant_id, context, now)
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if is_backfill(context) and start is not None and end is not None:
        return Window(start, min(end, now), None)
    end = min(run_end(context), now)
    if mark.watermark is None:
        return Window(None, None, end, full=True, why="first run of the tenant")
    if force_full:
        return Window(None, None, end, full=True, why="asked for by the run's params")
    if reconcile_due(mark, end, reconcile_every):
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
