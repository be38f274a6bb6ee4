"""Smoke test of the live-scheduler harness: scheduled, manual and dated runs of odoo_sync__acme all succeed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.scenarios.conftest import DAG_ID
from tests.scenarios.live_scheduler import LiveAirflow

pytestmark = pytest.mark.scenarios
LINE, ACCOUNT = "account.analytic.line", "account.analytic.account"


def test_scheduled_manual_and_dated_runs_sync_the_seed(
    live_airflow: LiveAirflow, odoo: FakeOdoo, source: psycopg.Connection
) -> None:
    t0 = time.monotonic()
    live_airflow.unpause(DAG_ID)
    manual = live_airflow.trigger(DAG_ID)
    dated = live_airflow.trigger(DAG_ID, logical_date=datetime(2026, 11, 20, 6, 30, tzinfo=UTC))
    scheduled = live_airflow.wait_for_new_run(DAG_ID, "scheduled", timeout=60)
    for run_id in (scheduled.run_id, manual, dated):
        assert live_airflow.wait_for_run(DAG_ID, run_id, timeout=150) == "success", run_id
    print(f"three runs in {time.monotonic() - t0:.0f} s")
    for run in live_airflow.runs(DAG_ID):
        print(run, live_airflow.run(DAG_ID, run.run_id)["run_after"])

    posted, total = source.execute(
        "SELECT count(*), -sum(amount::numeric) FROM togrant.spending_lines WHERE tenant_id = 'acme'"
        " AND status = 'posted'"
    ).fetchone()
    lines = odoo.records(LINE)
    assert len(lines) == posted
    assert Decimal(str(round(sum(line["amount"] for line in lines), 2))) == total
