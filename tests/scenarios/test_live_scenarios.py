"""Scheduling situations on a live Airflow (scheduler, dag-processor, api-server, LocalExecutor, PostgreSQL
metadata): after each, Odoo equals the source exactly, line by line and per plan."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.scenarios.conftest import DAG_ID
from tests.scenarios.live_scheduler import LiveAirflow
from tests.scenarios.world import World, hours_ago

pytestmark = pytest.mark.scenarios


def first_scheduled_run(live_airflow: LiveAirflow) -> str:
    live_airflow.unpause(DAG_ID)
    run = live_airflow.wait_for_new_run(DAG_ID, "scheduled", timeout=90)
    assert live_airflow.wait_for_run(DAG_ID, run.run_id, timeout=150) == "success"
    return run.run_id


def test_the_scheduler_down_for_a_while_loses_nothing(
    live_airflow: LiveAirflow, odoo: FakeOdoo, source: psycopg.Connection, tenants_file: Path
) -> None:
    """Catchup is off: the intervals missed while the scheduler was down are never run, yet nothing is lost."""
    world = World(source, odoo, tenants_file)
    first = first_scheduled_run(live_airflow)  # a new tenant: its whole history, whatever the interval
    assert world.assert_converged() == 320
    live_airflow.stop_scheduler()
    for hours in (2.5, 1.5, 0.5):  # rows written during the outage (back-dated as a slow import would)
        world.add_line(updated_at=hours_ago(hours))
    world.edit(world.line_ids()[3], amount="777.77")
    time.sleep(65)  # at least one per-minute interval passes with no scheduler
    live_airflow.start_scheduler()
    after = live_airflow.wait_for_new_run(DAG_ID, "scheduled", exclude=[first], timeout=120)
    assert live_airflow.wait_for_run(DAG_ID, after.run_id, timeout=150) == "success"
    assert world.assert_converged() == 323


def test_a_backfill_over_synced_data_sends_nothing_and_keeps_the_cursor(
    live_airflow: LiveAirflow, odoo: FakeOdoo, source: psycopg.Connection, tenants_file: Path
) -> None:
    world = World(source, odoo, tenants_file)
    first_scheduled_run(live_airflow)
    mark = source.execute("SELECT watermark FROM odoo_sync.watermark WHERE tenant_id = 'acme'").fetchone()
    source.commit()
    odoo.reset_calls()
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=4)
    runs = live_airflow.backfill(DAG_ID, start, start + timedelta(minutes=2))
    assert runs and all(r.state == "success" for r in runs)
    assert world.mutations() == {"create": 0, "write": 0, "unlink": 0}
    after = source.execute("SELECT watermark FROM odoo_sync.watermark WHERE tenant_id = 'acme'").fetchone()
    source.commit()
    assert after is not None and mark is not None and after[0] >= mark[0]
    assert world.assert_converged() == 320
