"""The tenant lock: a bounded wait that names who holds it, and every writer of the records takes it.

The drift check (it resets the records' seen marks) and drift repair (it marks records) are watched *waiting*
on the lock in pg_locks while another session holds it, and finishing once it is let go.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from odoo_sync.drift import check, repair
from odoo_sync.store.locks import TenantBusy, lock_tenant, record_holder
from tests.conftest import dsn
from tests.integration.test_drift import synced
from tests.scenarios.world import World

pytestmark = pytest.mark.integration
__all__ = ["synced"]  # the drift tests' synced tenant, used as a fixture here
HOLDER = "odoo_sync__acme run scheduled__2026-12-01T04:00:00+00:00, task analytic_lines (try 1)"


@pytest.fixture
def held(pg_database: str) -> Iterator[psycopg.Connection]:
    """Another run of tenant acme holds its lock (and said who it is)."""
    with psycopg.connect(dsn(pg_database)) as conn:
        lock_tenant(conn, "acme")
        record_holder(conn, "acme", HOLDER)
        yield conn


def test_a_waiter_gives_up_after_its_wait_naming_tenant_and_holder(held: psycopg.Connection, pg_database: str) -> None:
    with psycopg.connect(dsn(pg_database)) as waiter:
        started = time.monotonic()
        with pytest.raises(TenantBusy) as caught:
            lock_tenant(waiter, "acme", wait=timedelta(milliseconds=400))
        waited = time.monotonic() - started
        assert 0.35 <= waited < 5
        assert "tenant acme" in str(caught.value) and HOLDER in str(caught.value)
        assert f"pid {held.info.backend_pid}" in str(caught.value)
        lock_tenant(waiter, "other", wait=timedelta(milliseconds=400))  # other tenants never wait


def test_a_waiter_gets_the_lock_once_it_is_let_go(held: psycopg.Connection, pg_database: str) -> None:
    with psycopg.connect(dsn(pg_database)) as waiter:
        threading.Timer(0.3, held.close).start()
        lock_tenant(waiter, "acme", wait=timedelta(seconds=10))


def _waits_for_the_lock(pg_database: str, held: psycopg.Connection, body: Callable[[], Any]) -> Any:
    """Run ``body`` on a thread; assert it waits on an advisory lock while ``held`` holds it; let go; its result."""
    out: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: out.update(result=body()), daemon=True)
    worker.start()
    with psycopg.connect(dsn(pg_database), autocommit=True) as watcher:
        deadline, waiting = time.monotonic() + 20, 0
        while not waiting and time.monotonic() < deadline and worker.is_alive():
            row = watcher.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ).fetchone()
            waiting = int(row[0]) if row else 0
            time.sleep(0.05)
    assert waiting == 1, "it did not wait for the tenant's lock"
    held.close()
    worker.join(60)
    assert not worker.is_alive()
    return out["result"]


def test_the_drift_check_takes_the_tenant_lock(synced: World, held: psycopg.Connection, pg_database: str) -> None:
    report = _waits_for_the_lock(pg_database, held, lambda: check.check_tenant("acme"))
    assert report.state == "clean"


def test_drift_repair_takes_the_tenant_lock(synced: World, held: psycopg.Connection, pg_database: str) -> None:
    marked = _waits_for_the_lock(pg_database, held, lambda: repair.mark_for_repair("acme"))
    assert marked == {"records": 0, "lines": 0}
