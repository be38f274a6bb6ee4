"""Fixtures for tests that need the test Odoo server and the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from odoo_sync.odoo.hook import OdooHook
from odoo_sync.store.ledger import Ledger
from odoo_sync.store.sync_log import RunContext, SyncLog
from odoo_sync.sync.writer import IdempotentWriter
from odoo_test_server import FakeOdoo
from tests.conftest import set_airflow_conn

PASSWORD = "Adm1n-pw-for-tests"


def odoo_conn(conn_id: str, server: FakeOdoo, *, password: str = PASSWORD, **extra: object) -> None:
    """Register an Airflow connection of type odoo pointing at a test server."""
    set_airflow_conn(
        conn_id,
        conn_type="odoo",
        host=server.url,
        schema=server.db,
        login=server.login,
        password=password,
        extra={"timeout": 2, **extra},
    )


@pytest.fixture
def odoo() -> Iterator[FakeOdoo]:
    server = FakeOdoo(db="acme", login="admin", password=PASSWORD).start()
    odoo_conn("odoo_test", server)
    yield server
    server.stop()


@pytest.fixture
def sync_log(db: psycopg.Connection) -> SyncLog:
    return SyncLog(db, "acme", RunContext("test_dag", "manual__1", 1))


@pytest.fixture
def hook(odoo: FakeOdoo, sync_log: SyncLog) -> OdooHook:
    return OdooHook("odoo_test", tenant_id="acme", sync_log=sync_log)


@pytest.fixture
def writer(hook: OdooHook, db: psycopg.Connection) -> IdempotentWriter:
    return IdempotentWriter(hook, Ledger(db))
