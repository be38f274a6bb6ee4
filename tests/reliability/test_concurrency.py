"""Two runs of one tenant at once (a scheduled run and a backfill) and two tenants at once, as real processes.

A tenant's writers take turns on a PostgreSQL advisory lock: the test watches the second run *wait on that lock*
in pg_locks while the first holds it (not a race that happened to go well), and watches another tenant's run
finish meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.reliability import figures
from tests.reliability.checks import LINE, audit, forbidden_calls, records_of
from tests.reliability.conftest import N_LINES
from tests.reliability.worker import Worker

pytestmark = [pytest.mark.reliability, pytest.mark.integration]


def advisory_waits(db: psycopg.Connection) -> list[tuple[int, bool]]:
    """(pid, granted) of odoo_sync sessions holding or waiting for an advisory lock."""
    rows = db.execute(
        "SELECT l.pid, l.granted FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        " WHERE l.locktype = 'advisory' AND a.application_name = 'odoo_sync' AND a.datname = current_database()"
    ).fetchall()
    db.commit()
    return rows


def wait_for(predicate: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_scheduled_run_and_backfill_take_turns_and_another_tenant_never_waits(
    source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo]
) -> None:
    acme, globex = odoo_for("acme"), odoo_for("globex")
    scheduled = Worker("--tenant", "acme", "--run-id", "scheduled__1", "--pause-after-lock")
    assert scheduled.expect("STOP") == "STOP locked"
    backfill = Worker("--tenant", "acme", "--run-id", "backfill__1", "--backfill-from", "2026-01-01T00:00:00+00:00")
    wait_for(lambda: sorted(g for _, g in advisory_waits(source)) == [False, True])  # one holds, one waits

    started = time.monotonic()
    other = Worker("--tenant", "globex", "--run-id", "scheduled__2")  # a second tenant, at the same time
    other.finish()
    assert time.monotonic() - started < 30
    assert sorted(g for _, g in advisory_waits(source)) == [False, True]  # acme's runs are still holding/waiting
    assert acme.count(LINE, "create") == 0

    scheduled.resume()
    scheduled.finish()
    backfill.finish()
    figures.add("task_runs", 3)
    creates = [c.n_records for c in acme.calls if c.model == LINE and c.model_method == "create"]
    assert sum(creates) == N_LINES  # the backfill found every line done
    mutated = source.execute(
        "SELECT count(*) FROM odoo_sync.sync_log WHERE run_id = 'backfill__1' AND entity_type = 'line'"
        " AND method IN ('create', 'write', 'unlink')"
    ).fetchone()[0]
    assert mutated == 0  # the backfill compared every line with what Odoo holds and sent nothing
    audit(records_of(acme), source, "acme", [f"SL-{i:05d}" for i in range(1, N_LINES + 1)]).assert_clean()
    audit(records_of(globex), source, "globex", [f"SL-{i:05d}" for i in range(1, 301)]).assert_clean()
    crossed = sum(1 for r in acme.records(LINE) if not r["ref"].startswith("acme:"))
    crossed += sum(1 for r in globex.records(LINE) if not r["ref"].startswith("globex:"))
    figures.add("cross_tenant_calls", crossed)
    assert crossed == 0
    assert forbidden_calls(acme.calls) == forbidden_calls(globex.calls) == []
