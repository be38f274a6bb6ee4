"""A run dated a year ahead (a typo in the trigger form) under dag.test(): it fails at its first Odoo task,
sends nothing, and the cursor's mark and the recorded last success stay where they were; the next run is
ordinary. (On a live scheduler such a run never starts a task at all: health names it, see
tests/integration/test_sync_staleness.py and docs/scheduling.md.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from odoo_sync.store import sync_runs, watermarks
from tests.integration.test_drift import synced
from tests.scenarios.world import World

pytestmark = pytest.mark.integration
__all__ = ["synced"]  # a tenant synced once, from the drift tests


def test_a_future_dated_run_fails_fast_and_moves_nothing(synced: World) -> None:
    mark = watermarks.read_mark(synced.db, "acme", "line")
    success = sync_runs.load(synced.db, ["acme"])["acme"].last_success_at
    synced.db.commit()
    assert mark.watermark is not None and mark.watermark <= datetime.now(UTC)
    synced.odoo.reset_calls()
    assert synced.run(logical_date=datetime.now(UTC) + timedelta(days=365)) == "failed"
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    assert watermarks.read_mark(synced.db, "acme", "line") == mark
    assert sync_runs.load(synced.db, ["acme"])["acme"].last_success_at == success
    synced.db.commit()
    assert synced.run() == "success"
    after = watermarks.read_mark(synced.db, "acme", "line")
    assert after.watermark is not None and mark.watermark < after.watermark <= datetime.now(UTC)


def test_the_health_dag_names_what_airflow_knows_about_a_stale_tenant(synced: World) -> None:
    """dag.test() of odoo_health: the Task SDK's view of the tenant's DAG reaches the pill's reason."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import update

    from tests.conftest import REPO

    with create_session() as session:  # an operator paused the tenant's DAG (the test's own metadata DB)
        session.execute(update(DagModel).where(DagModel.dag_id == "odoo_sync__acme").values(is_paused=True))

    long_ago = datetime.now(UTC) - timedelta(hours=7)
    synced.db.execute(
        "UPDATE odoo_sync.sync_run SET last_success_at = %s, last_started_at = %s WHERE tenant_id = 'acme'",
        (long_ago, long_ago - timedelta(minutes=5)),
    )
    synced.db.commit()
    dag = DagBag(dag_folder=str(REPO / "dags" / "odoo_health.py")).dags["odoo_health"]
    dag.deadline = None  # deadlines crash dag.test() after success (apache/airflow#73428)
    assert dag.test().state == "success"
    row = synced.db.execute("SELECT state, reasons FROM odoo_sync.health_state WHERE tenant_id = 'acme'").fetchone()
    synced.db.commit()
    assert row is not None
    assert row[0] == "red"
    assert row[1][0].endswith("(7.0 h; red after 6.0 h): the DAG odoo_sync__acme is paused"), row[1][0]
