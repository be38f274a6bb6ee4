"""Test session set-up: an isolated Airflow home and a PostgreSQL database made and dropped per run."""

from __future__ import annotations

import base64
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

# Airflow reads its configuration when first imported: everything below must precede that import.
REPO = Path(__file__).resolve().parent.parent
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="odoo-sync-airflow-")
os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
# One Fernet key for this process and the subprocesses it starts (unit-test mode makes a new one per process):
# asset watchers' trigger kwargs are stored encrypted, and a DAG run in a subprocess must be readable here.
_TEST_FERNET_KEY = base64.urlsafe_b64encode(b"odoo-sync tests only, not secret").decode()
os.environ.setdefault("AIRFLOW__CORE__FERNET_KEY", _TEST_FERNET_KEY)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME}/airflow.db"
os.environ.setdefault("ODOO_SYNC_TENANTS_FILE", str(REPO / "include" / "tenants.yaml"))

PG_HOST = os.environ.get("ODOO_SYNC_TEST_PGHOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ODOO_SYNC_TEST_PGPORT", "5432"))
PG_USER = os.environ.get("ODOO_SYNC_TEST_PGUSER", "postgres")
TEST_DB = f"odoo_sync_test_{uuid.uuid4().hex[:10]}"

import psycopg  # noqa: E402
import pytest  # noqa: E402


def dsn(dbname: str) -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={dbname}"


WRITER_ROLE = "odoo_sync_writer"  # migration 005: the role a deployment grants to the sync's login
WRITER_LOGIN = f"odoo_sync_test_writer_{TEST_DB[-10:]}"  # roles are cluster-wide: one per test run


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-login",
        choices=("owner", "writer"),
        default="owner",
        help="who the odoo_sync_db connection logs in as: the schema owner (default) or a login granted "
        f"{WRITER_ROLE} only, as a least-privilege deployment runs (migrations are still applied by the owner)",
    )


def set_airflow_conn(conn_id: str, **fields: object) -> None:
    """Outside a running task Airflow sees only AIRFLOW_CONN_* variables (and secrets backends)."""
    os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(fields)


def use_db_login(login: str) -> None:
    """Point connection odoo_sync_db (what every DAG task opens) at the run's database as ``login``."""
    set_airflow_conn("odoo_sync_db", conn_type="postgres", host=PG_HOST, port=PG_PORT, login=login, schema=TEST_DB)


def dags_log_in_as_writer() -> bool:
    """Does connection odoo_sync_db log in as the writer-only login now (``--db-login=writer``, ``as_writer``)?"""
    return json.loads(os.environ.get("AIRFLOW_CONN_ODOO_SYNC_DB", "{}")).get("login") == WRITER_LOGIN


@pytest.fixture(scope="session")
def pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database for this test run, migrated by the owner, dropped at the end."""
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{TEST_DB}"')
    from odoo_sync.store.migrate import migrate

    with psycopg.connect(dsn(TEST_DB)) as conn:
        migrate(conn)
    as_writer = request.config.getoption("--db-login") == "writer"
    if as_writer:
        _create_writer_login()
    default_login = WRITER_LOGIN if as_writer else PG_USER
    use_db_login(default_login)
    request.config.stash[_DEFAULT_LOGIN] = default_login
    yield TEST_DB
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{WRITER_LOGIN}"')


_DEFAULT_LOGIN = pytest.StashKey[str]()


def _create_writer_login() -> None:
    """A login holding only odoo_sync_writer (created by migration 005 when the owner may create roles)."""
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (WRITER_LOGIN,)).fetchone()
        if not exists:
            admin.execute(f'CREATE ROLE "{WRITER_LOGIN}" LOGIN IN ROLE {WRITER_ROLE}')


@pytest.fixture
def as_writer(pg_database: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Connection odoo_sync_db logs in as a role granted odoo_sync_writer only, for this test; returns the login.

    The tests' own ``db`` connection stays the owner's (it prepares and inspects the tables).
    """
    _create_writer_login()
    use_db_login(WRITER_LOGIN)
    yield WRITER_LOGIN
    use_db_login(request.config.stash[_DEFAULT_LOGIN])


@pytest.fixture
def db(pg_database: str) -> Iterator[psycopg.Connection]:
    """A connection to the run's database; the odoo_sync tables are emptied before each test."""
    with psycopg.connect(dsn(pg_database)) as conn:
        conn.execute("SET odoo_sync.retention = 'on'")
        conn.execute(
            "TRUNCATE odoo_sync.ledger, odoo_sync.record, odoo_sync.tenant_binding, odoo_sync.health_ping,"
            " odoo_sync.health_incident, odoo_sync.watermark,"
            " odoo_sync.health_state, odoo_sync.drift_check, odoo_sync.drift_incident, odoo_sync.dry_run,"
            " odoo_sync.sync_run, odoo_sync.tenant_lock_holder, odoo_sync.change_marker"
        )
        conn.execute("DELETE FROM odoo_sync.sync_log")
        conn.execute("RESET odoo_sync.retention")
        conn.commit()
        yield conn


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A migrated Airflow metadata database (SQLite in the run's AIRFLOW_HOME) for dag.test()."""
    from airflow.utils import db as airflow_db_utils

    airflow_db_utils.resetdb(skip_init=False)


# `make test` runs two xdist workers (`-n 2 --dist loadgroup`), each its group serially and in collection order:
# "live", the live-Airflow tests that mostly wait on a real scheduler/triggerer, beside "main", everything else.
# Each worker is its own process: its own AIRFLOW_HOME, test database and writer login (above), free ports.
LIVE_GROUP_FILES = frozenset(
    {
        "tests/scenarios/test_event_driven.py",
        "tests/scenarios/test_live_scenarios.py",
        "tests/scenarios/test_live_future_run.py",
        "tests/scenarios/test_live_scheduler.py",
        "tests/integration/test_health_deadline.py",
        "tests/integration/test_local_airflow.py",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        path = Path(str(item.path)).resolve().relative_to(REPO).as_posix()
        item.add_marker(pytest.mark.xdist_group("live" if path in LIVE_GROUP_FILES else "main"))
