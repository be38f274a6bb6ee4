"""The health DAG's Deadline Alert, live: scheduler, triggerer, dag-processor and api-server on loopback.

A health run that cannot finish within its budget (a tenant whose Odoo accepts the connection and never
answers, with a ping timeout longer than the budget) must mail on-call through the triggerer.
Deadlines never fire under dag.test(), hence the real components (~1 minute).
"""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from tests.browser.live_airflow import AIRFLOW, airflow_env, component, free_port, migrate, wait_http
from tests.conftest import PG_HOST, PG_PORT, PG_USER, dsn, set_airflow_conn
from tests.integration import test_health_alerts
from tests.integration.test_health_alerts import Sink

pytestmark = pytest.mark.integration
smtp_sink = test_health_alerts.smtp_sink  # shared fixture


@pytest.fixture
def metadata_db() -> Iterator[str]:
    """LocalExecutor needs PostgreSQL for Airflow's own metadata: a database made and dropped here."""
    name = f"airflow_deadline_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg2://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def hung_odoo() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield s.getsockname()[1]


def test_a_stalled_health_run_mails_on_call(
    tmp_path: Path,
    pg_database: str,
    metadata_db: str,
    smtp_sink: Sink,
    hung_odoo: int,
) -> None:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text("tenants:\n  - {tenant_id: hung, display_name: Hung}\n")
    set_airflow_conn(
        "odoo_hung",
        conn_type="odoo",
        host=f"http://127.0.0.1:{hung_odoo}",
        schema="x",
        login="admin",
        password="pw",
        extra={"timeout": 60},
    )
    port = free_port()
    env = airflow_env(
        tmp_path,
        metadata_db,
        AIRFLOW__CORE__EXECUTOR="LocalExecutor",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="1",
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        ODOO_SYNC_TENANTS_FILE=str(tenants),
        ODOO_SYNC_HEALTH_ON_CALL="oncall@togrant.test",
        ODOO_SYNC_HEALTH_RUN_BUDGET_MINUTES="0.25",  # 15 s, while the hung ping takes 40 s
        ODOO_SYNC_HEALTH_PING_TIMEOUT_S="40",
    )
    migrate(env)
    started = time.monotonic()
    with ExitStack() as stack:
        api = stack.enter_context(
            component(["api-server", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path / "api.log")
        )
        for name in ("dag-processor", "scheduler", "triggerer"):
            stack.enter_context(component([name], env, tmp_path / f"{name}.log"))
        wait_http(f"http://127.0.0.1:{port}/api/v2/monitor/health", proc=api)
        _wait_for_dag(env)
        subprocess.run([AIRFLOW, "dags", "unpause", "odoo_health"], env=env, check=True, capture_output=True)
        subprocess.run([AIRFLOW, "dags", "trigger", "odoo_health"], env=env, check=True, capture_output=True)
        _wait_for_mail(smtp_sink, 150, tmp_path)
    elapsed = time.monotonic() - started
    subjects = smtp_sink.subjects()
    assert subjects and all("health monitor stalled: odoo_health run" in s for s in subjects), subjects
    assert smtp_sink.messages[0]["X-Rcpt"] == "oncall@togrant.test"
    assert "the-monitor-itself-stalled" in smtp_sink.html(0)
    print(f"deadline mail after {elapsed:.0f} s (components started, run queued, 15 s budget)")


def _wait_for_dag(env: dict[str, str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(
            [AIRFLOW, "dags", "list", "-o", "plain"], env=env, capture_output=True, text=True
        )
        if "odoo_health" in out.stdout:
            return
        time.sleep(2)
    raise TimeoutError("odoo_health was not parsed in time")


def _wait_for_mail(sink: Sink, timeout: float, logs: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not sink.messages:
        time.sleep(1)
    if not sink.messages:
        for name in ("triggerer", "scheduler"):
            print(f"--- {name} log tail ---\n" + (logs / f"{name}.log").read_text()[-3000:])
        raise AssertionError("no deadline mail arrived")
