"""Fixtures of the scenario suite (``pytest -m scenarios``).

``world``: the tenant DAG under ``dag.test()`` against a fresh test Odoo (or the real one ``ODOO_TEST_*`` names)
and a fresh data database, compared with the source after each run (tests/scenarios/world.py).

The live part: the tenant DAG on a real, live Airflow scheduler.
One live Airflow per test session (``live_airflow_session``: a fresh metadata database, tenant ``acme`` on a
per-minute schedule); every test gets it back clean (``live_airflow``: all DAGs paused, no runs, no backfills,
scheduler up), a fresh test Odoo (``odoo``) on the port connection ``odoo_acme`` points at, and a fresh data
database (``source``: the demo seed in schema ``togrant``; schema ``odoo_sync`` is created by the DAG's first task).
Connections given to the components: ``odoo_acme``, ``togrant_source`` and ``odoo_sync_db`` (both the data DB).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.browser.live_airflow import free_port
from tests.conftest import REPO, dsn
from tests.scenarios.live_scheduler import LiveAirflow, odoo_conn, postgres_conn
from tests.scenarios.world import World, seed_source, start_odoo

DAG_ID = "odoo_sync__acme"


@pytest.fixture
def world(airflow_db: None, db: psycopg.Connection, pg_database: str, tmp_path: Path, monkeypatch) -> Iterator[World]:
    """The demo source seeded, the tenant configured for it, its Odoo started (stopped afterwards)."""
    seed_source(db, pg_database)
    tenants_file = tmp_path / "tenants.yaml"
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(tenants_file))
    server = start_odoo(db)
    w = World(db, server, tenants_file)
    w.configure()
    yield w
    server.stop()
TENANTS_YAML = """\
tenants:
  - tenant_id: acme
    display_name: ACME
    schedule: '* * * * *'
    start_date: 2026-01-01
    calls_per_second: 1000
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scenarios: the tenant DAG on a real, live Airflow scheduler (slow)")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def data_db() -> Iterator[str]:
    """Name of the database behind togrant_source and odoo_sync_db; ``source`` re-creates it for each test."""
    name = f"odoo_sync_sc_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def odoo_port() -> int:
    """The fixed port of the test Odoo (connection odoo_acme points at it for the whole session)."""
    return free_port()


@pytest.fixture(scope="session")
def live_airflow_session(
    tmp_path_factory: pytest.TempPathFactory, data_db: str, odoo_port: int
) -> Iterator[LiveAirflow]:
    home = tmp_path_factory.mktemp("airflow-live")
    tenants = home / "tenants.yaml"
    tenants.write_text(TENANTS_YAML)
    connections = {
        "odoo_acme": odoo_conn(f"http://127.0.0.1:{odoo_port}", "acme", db="acme"),
        "togrant_source": postgres_conn(data_db),
        "odoo_sync_db": postgres_conn(data_db),
    }
    with LiveAirflow(home, tenants_file=tenants, connections=connections) as airflow:
        airflow.wait_for_dag(DAG_ID)
        yield airflow


@pytest.fixture
def live_airflow(live_airflow_session: LiveAirflow, request: pytest.FixtureRequest) -> Iterator[LiveAirflow]:
    """The session's live Airflow, clean; after a failed test, every run that did not succeed is described."""
    airflow = live_airflow_session
    airflow.reset()
    yield airflow
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"scheduler log: {airflow.log_path('scheduler')}\ntask logs: {airflow.log_folder}")
        for dag_id in {DAG_ID}:
            for run in airflow.runs(dag_id):
                if run.state != "success":
                    print(airflow.describe_run(dag_id, run.run_id))
    for dag in airflow.api("GET", "/api/v2/dags", limit=1000, paused=False)["dags"]:
        airflow.pause(dag["dag_id"])  # no new run against the stopped test Odoo until the next test resets


@pytest.fixture
def odoo(live_airflow: LiveAirflow, odoo_port: int) -> Iterator[FakeOdoo]:
    """A fresh test Odoo 17 (db acme, admin/admin) where connection odoo_acme points."""
    server = FakeOdoo(db="acme", login="admin", password="admin", port=odoo_port).start()
    yield server
    server.stop()


@pytest.fixture
def source(live_airflow: LiveAirflow, data_db: str) -> Iterator[psycopg.Connection]:
    """The data database made anew: the demo seed in schema togrant, no odoo_sync schema yet."""
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{data_db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{data_db}"')
    with psycopg.connect(dsn(data_db)) as conn:
        conn.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
        conn.execute((REPO / "include/demo/seed.sql").read_text())
        conn.commit()
        yield conn


@pytest.fixture
def tenants_file(live_airflow: LiveAirflow) -> Path:
    """The tenants file the components read; change it with ``live_airflow.write_tenants(text)``."""
    return live_airflow.tenants_file
