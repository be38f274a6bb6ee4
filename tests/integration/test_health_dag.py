"""dag.test() of odoo_health against three test servers: one healthy, one slow, one down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from airflow.dag_processing.dagbag import DagBag

from odoo_sync.health.pinger import PingResult
from odoo_sync.store import health as health_store
from odoo_test_server import FakeOdoo
from tests.conftest import REPO
from tests.integration import test_health_alerts
from tests.integration.conftest import PASSWORD, odoo_conn
from tests.integration.test_health_alerts import Sink

pytestmark = pytest.mark.integration
health_db, smtp_sink = test_health_alerts.health_db, test_health_alerts.smtp_sink  # shared fixtures


@pytest.fixture
def three_tenants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, FakeOdoo]]:
    path = tmp_path / "tenants.yaml"
    path.write_text(
        "tenants:\n"
        + "".join(f"  - {{tenant_id: {t}, display_name: {t.title()}}}\n" for t in ("healthy", "slow", "down"))
    )
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(path))
    monkeypatch.setenv("ODOO_SYNC_HEALTH_SLOW_MS", "500")
    monkeypatch.setenv("ODOO_SYNC_HEALTH_ON_CALL", "oncall@togrant.test")
    servers = {
        t: FakeOdoo(db="acme", login="admin", password=PASSWORD).start() for t in ("healthy", "slow", "down")
    }
    for tenant_id, server in servers.items():
        odoo_conn(f"odoo_{tenant_id}", server)
    servers["slow"].delay = 0.25  # three calls per ping: ~750 ms
    servers["down"].down = True
    yield servers
    for server in servers.values():
        server.stop()


def down_since(db: psycopg.Connection, minutes: int) -> datetime:
    """The previous runs' pings of the down tenant: failing for ``minutes`` already."""
    now = datetime.now(UTC)
    first = now - timedelta(minutes=minutes)
    health_store.insert_pings(
        db,
        [PingResult("down", first - timedelta(minutes=5), True, 30.0, server_version="17.0")]
        + [
            PingResult("down", first + timedelta(minutes=m), False, 1.0, "connection", "refused")
            for m in range(0, minutes, 5)
        ],
        "earlier",
    )
    return first


def test_dag_test_records_green_amber_red(
    airflow_db,
    health_db,
    smtp_sink: Sink,
    three_tenants,
) -> None:
    first_failure = down_since(health_db, 20)
    bag = DagBag(dag_folder=str(REPO / "dags" / "odoo_health.py"))
    dag = bag.dags["odoo_health"]
    dag.deadline = (
        None  # deadlines crash dag.test() after success (apache/airflow#73428); tested live instead
    )
    run = dag.test()
    assert run.state == "success"
    with health_db.cursor() as cur:
        cur.execute(
            "SELECT tenant_id, state, since, error_class FROM odoo_sync.health_state ORDER BY tenant_id"
        )
        states = {r[0]: r[1:] for r in cur.fetchall()}
        cur.execute("SELECT tenant_id, ok, run_id FROM odoo_sync.health_ping WHERE run_id <> 'earlier'")
        pings = cur.fetchall()
        cur.execute(
            "SELECT tenant_id, count(*) FROM odoo_sync.sync_log WHERE dag_id = 'odoo_health' GROUP BY 1"
        )
        log_rows = dict(cur.fetchall())
    health_db.commit()
    assert states["healthy"][0] == "green"
    assert states["slow"][0] == "amber"
    assert states["down"] == ("red", first_failure, "connection")
    assert sorted((t, ok) for t, ok, _ in pings) == [("down", False), ("healthy", True), ("slow", True)]
    assert {r for _, _, r in pings} == {run.run_id}
    assert log_rows == {
        "healthy": 3,
        "slow": 3,
        "down": 1,
    }  # version, authenticate, search_read; down: version
    assert smtp_sink.subjects() == ["[odoo-sync] RED down: failing for 20 min (connection)"]
