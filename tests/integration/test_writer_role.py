"""The DAGs' database work logged in as a role granted ``odoo_sync_writer`` only (migration 005), the way a
least-privilege deployment runs them: migrations applied by the owner, everything else by the writer."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from airflow.dag_processing.dagbag import DagBag

from odoo_sync.airflow import tasks
from odoo_sync.health.pinger import PingResult
from odoo_sync.paths import MIGRATIONS_DIR
from odoo_sync.store import db as store_db
from odoo_sync.store import health as health_store
from odoo_sync.store import retention
from odoo_sync.store.migrate import MigrationsPending, migrate
from odoo_test_server import FakeOdoo
from tests.conftest import REPO
from tests.integration.conftest import PASSWORD, odoo_conn

pytestmark = pytest.mark.integration


def test_migrate_task_passes_for_the_writer_when_the_schema_is_current(as_writer: str) -> None:
    assert tasks.migrate_schema() == []


def test_migrate_names_what_to_do_when_the_writer_finds_migrations_pending(as_writer: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    (folder / "999_next.sql").write_text("CREATE TABLE odoo_sync.next_feature (id int);")
    with store_db.connect() as conn, pytest.raises(MigrationsPending) as raised:
        migrate(conn, folder)
    message = str(raised.value)
    assert "999_next" in message and as_writer in message
    assert "python -m odoo_sync.store.migrate" in message  # what to run, as whom
    assert raised.value.error_class == "config"


def test_retention_purges_the_sync_log_as_the_writer(as_writer: str, db: psycopg.Connection) -> None:
    db.execute(
        "INSERT INTO odoo_sync.sync_log (ts, tenant_id, method, outcome) VALUES"
        " ('2026-01-01', 'acme', 'create', 'ok'), ('2026-03-09', 'acme', 'create', 'ok')"
    )
    db.commit()
    with store_db.connect() as conn:
        assert retention.purge_sync_log(conn, 30, now=datetime(2026, 3, 10, tzinfo=UTC), batch_size=1) == 1
    assert [r[0] for r in db.execute("SELECT ts::date::text FROM odoo_sync.sync_log")] == ["2026-03-09"]


def test_the_writer_still_cannot_erase_the_sync_log_itself(as_writer: str, db: psycopg.Connection) -> None:
    db.execute("INSERT INTO odoo_sync.sync_log (tenant_id, method, outcome) VALUES ('acme', 'create', 'ok')")
    db.commit()
    with store_db.connect() as conn:
        conn.execute("SET odoo_sync.retention = 'on'")  # the trigger's switch is anyone's; the privilege is not
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM odoo_sync.sync_log")
        conn.rollback()
        now = datetime.now(UTC) + timedelta(days=30)  # a run dated in the future cannot reach today's rows
        assert retention.purge_sync_log(conn, 1, now=now) == 0
    assert db.execute("SELECT count(*) FROM odoo_sync.sync_log").fetchone() == (1,)


def test_maintenance_dag_runs_as_the_writer(
    airflow_db: None, as_writer: str, db: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODOO_SYNC_LOG_KEEP_DAYS", "30")
    db.execute("INSERT INTO odoo_sync.sync_log (ts, tenant_id, method, outcome) VALUES ('2026-01-01', 'a', 'x', 'ok')")
    db.commit()
    dag = DagBag(dag_folder=str(REPO / "dags")).dags["odoo_sync_maintenance"]
    assert str(dag.test(logical_date=datetime(2026, 3, 10, tzinfo=UTC)).state) == "success"
    assert db.execute("SELECT count(*) FROM odoo_sync.sync_log").fetchone() == (0,)


@pytest.fixture
def one_tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOdoo]:
    path = tmp_path / "tenants.yaml"
    path.write_text("tenants:\n  - {tenant_id: healthy, display_name: Healthy}\n")
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(path))
    server = FakeOdoo(db="acme", login="admin", password=PASSWORD).start()
    odoo_conn("odoo_healthy", server)
    yield server
    server.stop()


def test_health_dag_pings_rates_and_prunes_as_the_writer(
    airflow_db: None, as_writer: str, db: psycopg.Connection, one_tenant: FakeOdoo
) -> None:
    old = datetime.now(UTC) - timedelta(days=60)
    health_store.insert_pings(db, [PingResult("healthy", old, True, 20.0, server_version="17.0")], "earlier")
    dag = DagBag(dag_folder=str(REPO / "dags" / "odoo_health.py")).dags["odoo_health"]
    dag.deadline = None  # deadlines crash dag.test() after success (apache/airflow#73428)
    assert str(dag.test().state) == "success"
    pings = db.execute("SELECT ts FROM odoo_sync.health_ping WHERE tenant_id = 'healthy'").fetchall()
    assert len(pings) == 1 and pings[0][0] > old  # today's ping kept, the 60-day-old one pruned
    assert db.execute("SELECT state FROM odoo_sync.health_state").fetchall() == [("green",)]
