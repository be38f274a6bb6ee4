"""The durable cursor's window: what a run reads, whatever kind of run it is (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from odoo_sync.store.watermarks import Mark
from odoo_sync.sync.cursor import FUTURE_TOLERANCE, FutureRun, plan_window, settle

T = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NOW = T + DAY + HOUR  # the task's clock, after every run below
SYNCED = Mark(watermark=T, reconciled_at=T - HOUR, settled_before=T - HOUR, settled_fingerprint="320:99")


def window(context: dict, mark: Mark = SYNCED, force: bool = False):
    return plan_window(context, mark, lookback=HOUR, reconcile_every=DAY, force_full=force, now=NOW)


def test_a_new_tenant_reads_everything_whatever_interval_its_first_run_has() -> None:
    w = window({"data_interval_start": T, "data_interval_end": T + HOUR}, Mark())
    assert w.full and w.start is None and w.advance_to == T + HOUR


def test_every_ordinary_run_reads_from_the_mark_minus_the_lookback() -> None:
    scheduled = window({"data_interval_start": T + 4 * HOUR, "data_interval_end": T + 5 * HOUR})
    manual = window({"dag_run": SimpleNamespace(run_after=T + 5 * HOUR, run_type="manual")})
    ui_form = window(  # a logical date an hour back, as the trigger form sets by default
        {
            "data_interval_start": T + 3 * HOUR,
            "data_interval_end": T + 4 * HOUR,
            "dag_run": SimpleNamespace(run_after=T + 5 * HOUR, run_type="manual"),
        }
    )
    for w in (scheduled, manual, ui_form):
        assert (w.start, w.end, w.advance_to, w.full) == (T - HOUR, T + 5 * HOUR, T + 5 * HOUR, False)


def test_a_backfill_replays_its_interval_and_leaves_the_mark() -> None:
    run = SimpleNamespace(run_type=SimpleNamespace(value="backfill"), run_after=T + 9 * HOUR)
    w = window({"data_interval_start": T - 5 * DAY, "data_interval_end": T - 4 * DAY, "dag_run": run})
    assert (w.start, w.end, w.advance_to) == (T - 5 * DAY, T - 4 * DAY, None)


def test_reconciliation_when_due_or_asked() -> None:
    assert window({"logical_date": T + DAY}).full  # a day since the last one
    assert window({"logical_date": T + HOUR}, force=True).full
    assert not window({"logical_date": T + HOUR}).full


def test_passed_rows_that_changed_turn_the_run_into_a_reconciliation() -> None:
    w = window({"logical_date": T + HOUR})
    same = settle(w, SYNCED, ("320:99", "321:12"), HOUR)
    changed = settle(w, SYNCED, ("319:42", "320:77"), HOUR)  # a row deleted behind the cursor
    assert not same.full and same.settled == (T, "321:12")
    assert changed.full and changed.start is None and "changed" in changed.why


def test_a_run_dated_ahead_of_the_clock_is_refused_before_it_reads() -> None:
    a_year_ahead = NOW + timedelta(days=365)
    for context in (
        {"logical_date": a_year_ahead, "dag_run": SimpleNamespace(run_after=NOW, run_type="manual")},
        {"data_interval_start": a_year_ahead - HOUR, "data_interval_end": a_year_ahead},
    ):
        with pytest.raises(FutureRun, match="ahead of the clock"):
            window({**context, "run_id": "manual__typo"})


def test_the_mark_stays_bounded_by_the_clock() -> None:
    """Within the tolerance (clock skew) the run goes on, but its window ends, and the mark moves, at ``now``."""
    skewed = NOW + FUTURE_TOLERANCE - timedelta(seconds=1)
    w = window({"logical_date": skewed, "dag_run": SimpleNamespace(run_after=skewed, run_type="manual")})
    assert w.advance_to == NOW and w.full  # a day since the last reconciliation
    recent = Mark(watermark=NOW - HOUR, reconciled_at=NOW - HOUR, settled_before=None, settled_fingerprint=None)
    w = window({"logical_date": skewed}, recent)
    assert w.end == w.advance_to == NOW
