"""Fixtures and figures of the reliability suite (``pytest -m reliability``).

Every test here is marked ``reliability``; the figures the tests count (faults injected, runs, records checked,
duplicates, lost lines, secrets found, bad inputs) are printed at the end of the session, one column per
transport, and saved as JSON (``$ODOO_SYNC_FIGURES`` or ``.pytest_cache/reliability-figures.json``).

A test that takes the ``transport`` fixture runs twice: over XML-RPC against an Odoo 17 test server with a
password, and over JSON-2 (``api: json2``) against an Odoo 19 test server with an API key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.conftest import PG_HOST, PG_PORT, PG_USER, REPO, set_airflow_conn
from tests.integration.conftest import odoo_conn
from tests.reliability import figures, seed

TENANTS = ("acme", "globex")
N_LINES = 2000
PASSWORD = "S3cret-Odoo-pw!"
# Odoo 19's JSON-2 takes an API key (40 hex digits on a real Odoo), never a password.
API_KEY = "7d1e4b9a0c3f5e8a2b6d9c1f4e7a0b3d5c8e1f2a"
TRANSPORTS = ("xmlrpc", "json2")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reliability: fault, crash, concurrency and security suite")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not figures.FIGURES:
        return
    terminalreporter.section("reliability figures")
    for line in figures.as_lines():
        terminalreporter.write_line(line)
    target = Path(os.environ.get("ODOO_SYNC_FIGURES") or REPO / ".pytest_cache" / "reliability-figures.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(dict(sorted(figures.FIGURES.items())), indent=2) + "\n")
    terminalreporter.write_line(f"(saved to {target})")


@pytest.fixture(autouse=True)
def _figures_by_transport_and_xfail_apart(request: pytest.FixtureRequest) -> Iterator[None]:
    figures.PREFIX["value"] = "xfail:" if request.node.get_closest_marker("xfail") else ""
    callspec = getattr(request.node, "callspec", None)
    figures.TRANSPORT["value"] = callspec.params.get("transport", "xmlrpc") if callspec else "xmlrpc"
    yield
    figures.PREFIX["value"] = ""
    figures.TRANSPORT["value"] = "xmlrpc"


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    """The API the test's Odoo connection uses: XML-RPC (Odoo 17), or JSON-2 with an API key (Odoo 19)."""
    return str(request.param)


def serve(tenant: str, secret: str, transport: str = "xmlrpc") -> FakeOdoo:
    """A started test Odoo for ``tenant`` taking ``secret``: the password (XML-RPC, Odoo 17), or the API key
    (JSON-2, Odoo 19, whose XML-RPC login keeps a password of its own)."""
    if transport == "json2":
        return FakeOdoo(db=tenant, login="admin", password=PASSWORD, api_keys=(secret,), version=19).start()
    return FakeOdoo(db=tenant, login="admin", password=secret).start()


def connect(conn_id: str, server: object, secret: str, transport: str = "xmlrpc", **extra: object) -> None:
    """Register the Airflow connection ``conn_id`` to ``server`` for ``transport`` (JSON-2: ``api: json2``)."""
    api = {"api": "json2"} if transport == "json2" else {}
    odoo_conn(conn_id, server, password=secret, **api, **extra)  # type: ignore[arg-type]


def rotate(server: FakeOdoo, transport: str, new_secret: str) -> None:
    """The tenant changes its password (XML-RPC) or revokes its API key for a new one (JSON-2)."""
    if transport == "json2":
        server.api_keys = (new_secret,)
    else:
        server.password = new_secret


@pytest.fixture
def tenants_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two tenants, each with its own Odoo connection; daily schedule; no client-side throttle to speak of."""
    path = tmp_path / "tenants.yaml"
    path.write_text(
        "tenants:\n"
        + "".join(
            f"  - tenant_id: {t}\n    display_name: {t.upper()}\n    schedule: '0 0 * * *'\n"
            f"    start_date: 2026-01-01\n    calls_per_second: 1000\n    batch_size: 500\n"
            for t in TENANTS
        )
    )
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(path))
    return path


@pytest.fixture
def source(db: psycopg.Connection, pg_database: str) -> psycopg.Connection:
    """The source contract in schema togrant of the run's database: acme with 2,000 lines, globex with 300."""
    seed.create_schema(db)
    seed.seed_tenant(db, "acme", N_LINES)
    seed.seed_tenant(db, "globex", 300)
    set_airflow_conn(
        "togrant_source", conn_type="postgres", host=PG_HOST, port=PG_PORT, login=PG_USER, schema=pg_database
    )
    return db


@pytest.fixture
def odoo_for(tenants_file: Path) -> Iterator[Callable[..., FakeOdoo]]:
    """Start a test Odoo for a tenant and register its connection ``odoo_<tenant>`` (extra tenant_id)."""
    started: list[FakeOdoo] = []

    def start(
        tenant: str = "acme", password: str | None = None, transport: str = "xmlrpc", **extra: object
    ) -> FakeOdoo:
        """``password``: the connection's secret (default PASSWORD over XML-RPC, API_KEY over JSON-2)."""
        secret = password if password is not None else API_KEY if transport == "json2" else PASSWORD
        server = serve(tenant, secret, transport)
        started.append(server)
        connect(f"odoo_{tenant}", server, secret, transport, tenant_id=tenant, **extra)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def run_dag(airflow_db: None, tenants_file: Path) -> Callable[..., str]:
    """Run a tenant's real DAG with dag.test(); ``retries`` replaces the DAG's (and retry_delay becomes 0)."""

    def run(tenant: str = "acme", *, retries: int = 0, full_resync: bool = True) -> str:
        from airflow.dag_processing.dagbag import DagBag

        dag = DagBag(dag_folder=str(REPO / "dags")).dags[f"odoo_sync__{tenant}"]
        for task in dag.tasks:
            task.retries = retries
            task.retry_delay = timedelta(0)
            task.max_retry_delay = timedelta(0)
        figures.add("dag_runs")
        return str(dag.test(logical_date=None, run_conf={"full_resync": full_resync}).state)

    return run
