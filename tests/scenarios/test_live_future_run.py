"""On a real Airflow 3.3 scheduler: a manual run dated a year ahead (a typo in the trigger form) is accepted,
moved to running, and starts no task; it holds the tenant's only run slot and later runs queue behind it. No
task of ours runs, so nothing of ours can fail it: the health DAG names it, read through the Task SDK in its
own task, once the tenant's last successful sync is older than its threshold."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.scenarios.conftest import DAG_ID
from tests.scenarios.live_scheduler import LiveAirflow

pytestmark = pytest.mark.scenarios
HEALTH = "odoo_health"


def test_a_future_dated_run_holds_the_slot_and_health_names_it(
    live_airflow: LiveAirflow, odoo: FakeOdoo, source: psycopg.Connection
) -> None:
    live_airflow.unpause(DAG_ID)
    first = live_airflow.trigger(DAG_ID)
    assert live_airflow.wait_for_run(DAG_ID, first) == "success"
    future = live_airflow.trigger(DAG_ID, logical_date=datetime.now(UTC) + timedelta(days=365))
    later = live_airflow.trigger(DAG_ID)
    time.sleep(15)  # many scheduler loops (heartbeat 1 s)
    assert live_airflow.run(DAG_ID, future)["state"] == "running"
    assert not any(live_airflow.task_states(DAG_ID, future).values())  # no task ever started
    assert live_airflow.run(DAG_ID, later)["state"] == "queued"  # behind it

    long_ago = datetime.now(UTC) - timedelta(hours=7)  # as if the slot had been held for 7 hours
    source.execute("UPDATE odoo_sync.sync_run SET last_success_at = %s, last_started_at = %s", (long_ago, long_ago))
    source.commit()
    live_airflow.wait_for_dag(HEALTH)
    live_airflow.unpause(HEALTH)
    health = live_airflow.trigger(HEALTH)
    assert live_airflow.wait_for_run(HEALTH, health) == "success"
    state, reasons = source.execute(
        "SELECT state, reasons FROM odoo_sync.health_state WHERE tenant_id = 'acme'"
    ).fetchone()
    source.commit()
    assert state == "red", reasons
    assert "none of its tasks has started: a run dated in the future" in reasons[0], reasons
    assert "queued behind it" in reasons[0], reasons
