"""The package as a deployment gets it: built by `python -m build`, installed (not editable) into a clean
virtualenv outside the repository. Then, run by that virtualenv's Python with nothing of the repository on its
path: the migrations on a fresh database, the health page, the DAG files copied into a DAG folder elsewhere,
and the demo tenant synced end to end against the loopback Odoo.

The virtualenv's dependencies come from a wheelhouse kept between runs (``ODOO_SYNC_WHEELHOUSE``, default
``~/.cache/togrant-odoo-sync/wheelhouse``), filled from the package index with constraints.txt when it lacks
something; built and installed once per run for all the tests here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
import venv
import xmlrpc.client
import zipfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.conftest import PG_HOST, PG_PORT, PG_USER, REPO, dsn

pytestmark = [pytest.mark.install, pytest.mark.timeout(900)]
WHEELHOUSE = Path(os.environ.get("ODOO_SYNC_WHEELHOUSE") or Path.home() / ".cache/togrant-odoo-sync/wheelhouse")
RUNTIME_FILES = (
    "odoo_sync/sql/migrations/001_sync_log_and_ledger.sql",
    "odoo_sync/sql/source/spending_lines_changed.sql",
    "odoo_sync/health/mail/health_alert.html",
    "odoo_sync/dashboard/templates/dashboard.html",
    "odoo_sync/runbook/integration-health.md",
)
TIMES: dict[str, float] = {}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build``: the sdist, and the wheel built from it."""
    out = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], cwd=out)
    TIMES["build"] = time.monotonic() - started
    assert len(list(out.glob("*.tar.gz"))) == 1
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deployment folder outside the repository: the DAG files copied in, the tenants file beside them."""
    root = tmp_path_factory.mktemp("deployment")
    (root / "dags").mkdir()
    for dag_file in (REPO / "dags").glob("*.py"):
        shutil.copy(dag_file, root / "dags")
    shutil.copy(REPO / "include" / "tenants.yaml", root / "dags" / "tenants.yaml")
    (root / "airflow-home").mkdir()
    return root


@pytest.fixture(scope="module")
def python(wheel: Path, deployment: Path) -> Path:
    """A new virtualenv with the wheel (and its constraints-pinned dependencies) installed, not editable."""
    started = time.monotonic()
    target = deployment / "venv"
    venv.create(target, with_pip=True)
    interpreter = target / "bin" / "python"
    install = [str(interpreter), "-m", "pip", "install", "--quiet", "-c", str(REPO / "constraints.txt"), str(wheel)]
    offline = [*install[:5], "--no-index", "--find-links", str(WHEELHOUSE), *install[5:]]
    if subprocess.run(offline, capture_output=True, check=False, cwd=deployment).returncode != 0:
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        download = [str(interpreter), "-m", "pip", "download", "--quiet", "-d", str(WHEELHOUSE), *install[5:]]
        run(download, cwd=deployment)
        run(offline, cwd=deployment)
    TIMES["install"] = time.monotonic() - started
    return interpreter


@pytest.fixture(scope="module")
def databases() -> Iterator[dict[str, str]]:
    """A fresh integration database and a source database seeded with the demo tenant."""
    names = {"sync": f"odoo_sync_install_{uuid.uuid4().hex[:8]}", "source": f"togrant_install_{uuid.uuid4().hex[:8]}"}
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(dsn(names["source"])) as conn:
        conn.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
        conn.execute((REPO / "include/demo/seed.sql").read_text())
    yield names
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def migrated(python: Path, deployment: Path, databases: dict[str, str]) -> str:
    """``python -m odoo_sync.store.migrate`` from the installed package, on the fresh database: its output."""
    return run_installed(python, deployment, databases, ["-m", "odoo_sync.store.migrate", "--conn-id", "odoo_sync_db"])


def test_the_wheel_holds_the_package_with_its_files_and_no_test_server(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith("odoo_test_server") or n.startswith(("tests/", "bench/"))]
    version = wheel.name.split("-")[1]
    assert {n.split("/")[0] for n in names} == {"odoo_sync", f"togrant_odoo_sync-{version}.dist-info"}
    assert set(RUNTIME_FILES) <= set(names)
    print(f"wheel {wheel.name}: {wheel.stat().st_size:,} bytes, {len(names)} files, built in {TIMES['build']:.1f} s")


def test_the_installed_package_runs_from_site_packages_alone(python: Path, deployment: Path) -> None:
    code = (
        "import importlib.metadata, importlib.util, json, odoo_sync;"
        "print(json.dumps([odoo_sync.__file__, importlib.metadata.version('togrant-odoo-sync'),"
        " odoo_sync.__version__, importlib.util.find_spec('odoo_test_server') is None,"
        " importlib.util.find_spec('tests') is None]))"
    )
    where, installed, declared, no_server, no_tests = json.loads(run([str(python), "-c", code], cwd=deployment))
    assert Path(where).is_relative_to(deployment / "venv") and installed == declared
    assert no_server and no_tests
    print(f"installed into a clean virtualenv in {TIMES['install']:.1f} s")


def test_the_migrations_create_the_schema_in_a_fresh_database(
    wheel: Path, migrated: str, databases: dict[str, str]
) -> None:
    shipped = [n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("odoo_sync/sql/migrations/")]
    assert f"{len(shipped)} migration(s) shipped, {len(shipped)} applied now" in migrated, migrated
    with psycopg.connect(dsn(databases["sync"])) as conn:
        (applied,) = conn.execute("SELECT count(*) FROM odoo_sync.schema_migrations").fetchone() or (0,)
        assert applied == len(shipped)
        assert conn.execute("SELECT to_regclass('odoo_sync.ledger') IS NOT NULL").fetchone() == (True,)


def test_the_health_page_and_its_runbook_render(
    python: Path, deployment: Path, databases: dict[str, str], migrated: str
) -> None:
    code = (
        "import json; from fastapi.testclient import TestClient;"
        "from odoo_sync.dashboard.app import create_app;"
        "client = TestClient(create_app(authenticate=False));"  # Airflow's login: tests/browser
        "page, runbook = client.get('/'), client.get('/runbook');"
        "print(json.dumps([page.status_code, page.text, runbook.status_code, runbook.text]))"
    )
    status, page, runbook_status, runbook = json.loads(run_installed(python, deployment, databases, ["-c", code]))
    assert (status, runbook_status) == (200, 200)
    assert "Odoo integration health" in page
    assert 'id="the-monitor-itself-stalled"' in runbook


def test_the_copied_dag_files_load_every_tenant_dag_and_the_health_dag(
    python: Path, deployment: Path, databases: dict[str, str]
) -> None:
    code = (
        "import json, sys; from airflow.dag_processing.dagbag import DagBag;"
        "bag = DagBag(dag_folder=sys.argv[1]);"
        "print(json.dumps([sorted(bag.dags), bag.import_errors]))"
    )
    dag_ids, errors = json.loads(run_installed(python, deployment, databases, ["-c", code, str(deployment / "dags")]))
    assert errors == {}
    assert {"odoo_sync__acme", "odoo_drift__acme", "odoo_health", "odoo_sync_maintenance"} <= set(dag_ids)


def test_the_demo_tenant_syncs_end_to_end(
    python: Path, deployment: Path, databases: dict[str, str], migrated: str
) -> None:
    server = FakeOdoo(db="acme", login="admin", password="admin").start()
    try:
        code = (
            "import sys; from airflow.utils import db; from airflow.dag_processing.dagbag import DagBag;"
            "db.resetdb(skip_init=False);"
            "run = DagBag(dag_folder=sys.argv[1]).dags['odoo_sync__acme'].test(logical_date=None);"
            "print(run.state)"
        )
        started = time.monotonic()
        odoo = {
            "conn_type": "odoo",
            "host": server.url,
            "schema": "acme",
            "login": "admin",
            "password": "admin",
            "extra": {"tenant_id": "acme", "timeout": 30},
        }
        out = run_installed(
            python,
            deployment,
            databases,
            ["-c", code, str(deployment / "dags")],
            AIRFLOW_CONN_ODOO_ACME=json.dumps(odoo),
        )
        seconds = time.monotonic() - started
        assert out.strip().splitlines()[-1] == "success", out
        assert odoo_lines(server) == posted_lines(databases["source"]) > 0
    finally:
        server.stop()
    print(f"demo tenant synced from the installed package in {seconds:.1f} s (Airflow db init included)")


def odoo_lines(server: FakeOdoo) -> int:
    uid = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").authenticate("acme", "admin", "admin", {})
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")
    return int(models.execute_kw("acme", uid, "admin", "account.analytic.line", "search_count", [[]]))


def posted_lines(source_db: str) -> int:
    with psycopg.connect(dsn(source_db)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM togrant.spending_lines WHERE tenant_id = 'acme' AND status = 'posted'"
        ).fetchone()
    return int(row[0]) if row else 0


def run_installed(python: Path, deployment: Path, databases: dict[str, str], args: list[str], **env: str) -> str:
    """Run the installed virtualenv's Python in the deployment folder, with Airflow's settings for it."""
    airflow_home = deployment / "airflow-home"
    settings = {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(deployment / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW_CONN_ODOO_SYNC_DB": pg_conn(databases["sync"]),
        "AIRFLOW_CONN_TOGRANT_SOURCE": pg_conn(databases["source"]),
        **env,
    }
    return run([str(python), *args], cwd=deployment, env=settings)


def pg_conn(database: str) -> str:
    return json.dumps({"conn_type": "postgres", "host": PG_HOST, "port": PG_PORT, "login": PG_USER, "schema": database})


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run ``command`` with only the basics of this environment (no PYTHONPATH, no AIRFLOW_*, no ODOO_*)."""
    basics = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR") or k.startswith("PIP_")}
    result = subprocess.run(
        command, cwd=cwd, env={**basics, **(env or {})}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{command[:4]} exited {result.returncode}:\n{result.stderr[-4000:]}"
    return result.stdout
