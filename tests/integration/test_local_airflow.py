"""`make up` / `make down` (scripts/local_airflow.py): a live local Airflow with the demo tenant, then nothing left.

Runs the script as `make up` does, in a temporary AIRFLOW_HOME with its own ports and databases (so a developer's
own `make up` instance is left alone), and stops it with `down`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from scripts.local_airflow import COMPONENTS, pids_in_group, start_time
from tests.browser.live_airflow import free_port
from tests.conftest import REPO, dsn

pytestmark = pytest.mark.integration


@pytest.fixture
def local_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a shell running `make up`: none of this test session's Airflow settings."""
    name = f"uptest_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "ODOO_SYNC_"))}
    env.update(
        AIRFLOW_HOME=str(tmp_path / "home"),
        ODOO_SYNC_LOCAL_PORT=str(free_port()),
        ODOO_SYNC_LOCAL_ODOO_PORT=str(free_port()),
        ODOO_SYNC_LOCAL_NAME=name,
    )
    yield env
    script(env, "down")  # whatever the test did
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        for db in (f"airflow_{name}", f"togrant_{name}", f"odoo_sync_{name}"):
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def script(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.local_airflow", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def call(url: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url + path, data, headers), timeout=15) as response:
        return json.load(response)


def test_make_wires_up_and_down_to_the_script() -> None:
    dry = subprocess.run(["make", "-n", "-C", str(REPO), "up", "down"], capture_output=True, text=True, check=True)
    assert "-m scripts.local_airflow up" in dry.stdout and "-m scripts.local_airflow down" in dry.stdout


def test_up_serves_the_demo_dag_and_down_stops_exactly_what_it_started(local_env: dict[str, str]) -> None:
    home, url = Path(local_env["AIRFLOW_HOME"]), f"http://127.0.0.1:{local_env['ODOO_SYNC_LOCAL_PORT']}"
    started = script(local_env, "up", "--no-run")
    assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
    password = json.loads((home / "passwords.json").read_text())["admin"]
    assert url in started.stdout and f"admin / {password}" in started.stdout  # the URL and the login, printed

    health = call(url, "/api/v2/monitor/health")
    assert {health[c]["status"] for c in ("metadatabase", "scheduler", "triggerer", "dag_processor")} == {"healthy"}
    token = call(url, "/auth/token", {"username": "admin", "password": password})["access_token"]
    dags = {d["dag_id"]: d for d in call(url, "/api/v2/dags?limit=100", token=token)["dags"]}
    assert not dags["odoo_sync__acme"]["is_paused"] and "odoo_health" in dags

    pids = {p.stem: [int(v) for v in p.read_text().split()] for p in (home / "run").glob("*.pid")}
    assert set(pids) == {*COMPONENTS, "odoo-test-server"}
    again = script(local_env, "up")
    assert "Already running" in again.stdout and {p.stem for p in (home / "run").glob("*.pid")} == set(pids)

    stopped = script(local_env, "down")
    assert stopped.returncode == 0, stopped.stderr
    assert not [name for name, (pid, since) in pids.items() if start_time(pid) == str(since)]
    left = [p for pid, _ in pids.values() for p in pids_in_group(pid) if start_time(p) is not None]
    assert not left  # nor anything they spawned in their process groups (workers, parsers, executors)
    assert not list((home / "run").glob("*.pid"))
    assert script(local_env, "status").returncode == 1
