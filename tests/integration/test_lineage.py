"""Lineage of a real tenant run: OpenLineage events name the source relations read and the Odoo models written.

The run is `dag.test()` in a child process whose OpenLineage provider is configured with openlineage-python's
own file transport: the provider decides once per process, at plugin load, whether it is enabled, and the rest
of the test session runs with it off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.conftest import PG_HOST, PG_PORT, REPO, set_airflow_conn
from tests.integration.conftest import odoo_conn

pytestmark = pytest.mark.integration
WRITTEN = {"project.project", "account.analytic.account", "account.analytic.line"}
READ = {"projects", "budget_categories", "budget_lines", "spending_lines"}
RUN = """
from airflow.dag_processing.dagbag import DagBag
dag = DagBag(dag_folder={dags!r}).dags["odoo_sync__acme"]
print("state:", dag.test().state)
"""


@pytest.fixture
def world(airflow_db: None, db: psycopg.Connection, pg_database: str, tmp_path: Path) -> Iterator[FakeOdoo]:
    """Tenant acme: the demo seed as its source, a test Odoo as its Odoo."""
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text("tenants:\n  - tenant_id: acme\n    display_name: ACME\n    calls_per_second: 1000\n")
    db.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
    db.execute((REPO / "include/demo/seed.sql").read_text())
    db.commit()
    set_airflow_conn(
        "togrant_source", conn_type="postgres", host=PG_HOST, port=PG_PORT, login="postgres", schema=pg_database
    )
    server = FakeOdoo(db="acme", login="admin", password="admin").start()
    odoo_conn("odoo_acme", server, password="admin", tenant_id="acme")
    os.environ["ODOO_SYNC_TENANTS_FILE"] = str(tenants)
    try:
        yield server
    finally:
        server.stop()
        os.environ.pop("ODOO_SYNC_TENANTS_FILE")


def run_with_openlineage(events: Path) -> None:
    transport = {"type": "file", "log_file_path": str(events), "append": True}
    env = {**os.environ, "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(transport)}
    script = RUN.format(dags=str(REPO / "dags"))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, timeout=240
    )
    assert "state: success" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]


def completed_tasks(events: Path) -> dict[str, dict[str, Any]]:
    """The COMPLETE event of each task, by task id."""
    out = {}
    for line in events.read_text().splitlines():
        event = json.loads(line)
        if event.get("eventType") == "COMPLETE" and event["job"]["name"].startswith("odoo_sync__acme."):
            out[event["job"]["name"].split(".", 1)[1]] = event
    return out


def names(datasets: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(d["namespace"], d["name"]) for d in datasets}


def test_a_run_emits_source_relations_as_inputs_and_odoo_models_as_outputs(
    world: FakeOdoo, pg_database: str, tmp_path: Path
) -> None:
    events = tmp_path / "openlineage.jsonl"
    run_with_openlineage(events)

    tasks = completed_tasks(events)
    assert {"projects", "budget_categories", "budget_lines", "analytic_lines"} <= set(tasks)
    odoo_ns = f"odoo://127.0.0.1:{world.port}/acme"
    source_ns = f"postgres://{PG_HOST}:{PG_PORT}"
    inputs = set().union(*(names(e["inputs"]) for e in tasks.values()))
    outputs = set().union(*(names(e["outputs"]) for e in tasks.values()))
    assert {(source_ns, f"{pg_database}.togrant.{table}") for table in READ} <= inputs
    assert {(odoo_ns, model) for model in WRITTEN} == {o for o in outputs if o[0].startswith("odoo://")}
    # The first writing task's event holds exactly its own lineage. (Under dag.test() every task runs in this
    # one process, whose collector keeps what earlier tasks reported; a deployment runs each task in its own.)
    assert names(tasks["projects"]["inputs"]) == {(source_ns, f"{pg_database}.togrant.projects")}
    assert names(tasks["projects"]["outputs"]) == {(odoo_ns, "project.project"), (odoo_ns, "account.analytic.account")}
    assert (odoo_ns, "account.analytic.line") in names(tasks["analytic_lines"]["outputs"])
    assert (source_ns, f"{pg_database}.togrant.spending_lines") in names(tasks["analytic_lines"]["inputs"])
    assert not names(tasks["migrate_schema"]["outputs"])  # nothing written to Odoo before the sync steps
