"""The watcher's trigger and the run's gate against a real PostgreSQL source (and the test Odoo for one run)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest

from odoo_sync.airflow import tasks
from odoo_sync.airflow.watcher import SourceChangeTrigger
from odoo_sync.store import markers, sync_runs
from odoo_test_server import FakeOdoo
from tests.conftest import REPO, set_airflow_conn
from tests.integration.conftest import odoo_conn

pytestmark = pytest.mark.integration
PROBE = 0.2  # seconds between probes in these tests
QUIET = 1.5  # seconds with no event expected (several probes)


@pytest.fixture
def source(db: psycopg.Connection, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    db.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
    db.execute("TRUNCATE togrant.projects, togrant.budget_categories, togrant.budget_lines, togrant.spending_lines")
    db.execute((REPO / "include/demo/seed.sql").read_text())
    db.commit()
    set_airflow_conn(
        "togrant_source", conn_type="postgres", host="127.0.0.1", port=5432, login="postgres", schema=pg_database
    )
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text("tenants:\n  - {tenant_id: acme, display_name: ACME, calls_per_second: 1000}\n")
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(tenants))
    return db


def add_line(db: psycopg.Connection, tenant: str, line_id: str) -> None:
    db.execute(
        "INSERT INTO togrant.spending_lines (tenant_id, id, project_code, budget_line_code, date, description,"
        " amount, currency, updated_at) VALUES (%s, %s, 'PRJ-001', '2.1', '2026-05-02', 'watched', '-12.50',"
        " 'EUR', now())",
        (tenant, line_id),
    )
    db.commit()


class Events:
    """The trigger's run() consumed in a task of its own (a timed-out wait must not cancel the generator)."""

    def __init__(self, trigger: SourceChangeTrigger) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task = asyncio.ensure_future(self._consume(trigger.run()))

    async def _consume(self, events: AsyncIterator[Any]) -> None:
        async for event in events:
            await self.queue.put(event.payload)

    async def next(self, timeout: float) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    async def aclose(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def test_the_trigger_fires_on_a_change_and_stays_silent_when_quiet(source: psycopg.Connection) -> None:
    async def scenario() -> list[dict[str, Any] | None]:
        events = Events(SourceChangeTrigger("acme", "togrant_source", PROBE))
        seen = [await events.next(10)]  # the first probe: a baseline the trigger cannot vouch for
        seen.append(await events.next(QUIET))  # quiet: nothing
        await asyncio.to_thread(add_line, source, "beta", "B-1")  # another tenant's change
        seen.append(await events.next(QUIET))
        await asyncio.to_thread(add_line, source, "acme", "W-1")
        seen.append(await events.next(10))
        seen.append(await events.next(QUIET))
        await events.aclose()
        return seen

    first, quiet, other, changed, after = asyncio.run(scenario())
    assert first is not None and first["tenant_id"] == "acme"
    assert quiet is None and other is None and after is None
    assert changed is not None and changed["marker"] != first["marker"]
    assert int(changed["marker"].split(":")[0]) == int(first["marker"].split(":")[0]) + 1  # one row more
    assert changed["latest_change"] > first["latest_change"]


def test_a_probe_that_fails_is_retried_and_the_trigger_goes_on(source: psycopg.Connection) -> None:
    async def scenario() -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        events = Events(SourceChangeTrigger("acme", "togrant_source", PROBE))
        first = await events.next(10)
        await asyncio.to_thread(_rename, source, "spending_lines", "spending_lines_away")  # the probe now fails
        await events.next(QUIET)
        await asyncio.to_thread(_rename, source, "spending_lines_away", "spending_lines")
        await asyncio.to_thread(add_line, source, "acme", "W-2")
        changed = await events.next(10)
        await events.aclose()
        return first, changed

    first, changed = asyncio.run(scenario())
    assert first is not None and changed is not None and changed["marker"] != first["marker"]


def _rename(db: psycopg.Connection, old: str, new: str) -> None:
    db.execute(f"ALTER TABLE togrant.{old} RENAME TO {new}")
    db.commit()


@pytest.fixture
def odoo(airflow_db: None, source: psycopg.Connection) -> Iterator[FakeOdoo]:
    server = FakeOdoo(db="acme", login="admin", password="admin").start()
    odoo_conn("odoo_acme", server, password="admin", tenant_id="acme")
    yield server
    server.stop()


def scheduled(at: datetime, run_type: str = "scheduled", **params: object) -> dict[str, Any]:
    """The context fields the gate reads, as a scheduled (or event-started) run has them."""
    return {
        "dag_run": SimpleNamespace(run_type=run_type, run_after=at),
        "data_interval_end": at,
        "params": params,
    }


def test_after_a_sync_the_gate_stops_quiet_runs_and_lets_a_change_through(
    source: psycopg.Connection, odoo: FakeOdoo
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(REPO / "dags")).dags["odoo_sync__acme"]
    assert str(dag.test().state) == "success"  # a manual run: syncs everything, the marker becomes synced
    synced = markers.read(source, "acme")
    assert synced.synced_marker is not None and synced.pending_marker is None
    soon = datetime.now(UTC) + timedelta(minutes=5)
    assert tasks.source_changed("acme", {**scheduled(soon), "run_id": "quiet_1"}) is False
    # a quiet run proves the tenant in step: health's "last successful sync" moves, so quiet hours stay green
    assert sync_runs.load(source, ["acme"])["acme"].last_success_run == "quiet_1"
    assert tasks.source_changed("acme", scheduled(soon, "asset_triggered")) is False
    assert tasks.source_changed("acme", scheduled(soon + timedelta(hours=25))) is True  # reconciliation due
    assert tasks.source_changed("acme", scheduled(soon, reconcile=True)) is True
    add_line(source, "acme", "W-3")
    assert tasks.source_changed("acme", scheduled(soon)) is True
    assert markers.read(source, "acme").pending_marker is not None


def test_a_run_that_read_less_than_its_gate_saw_does_not_mark_it_synced(source: psycopg.Connection) -> None:
    at = datetime(2026, 12, 4, 9, tzinfo=UTC)
    markers.note_seen(source, "acme", "m1", at, at, pending=True)
    markers.mark_synced(source, "acme", at, read_until=at)  # a row stamped at the window's end was not read
    assert markers.read(source, "acme").synced_marker is None
    markers.mark_synced(source, "acme", at, read_until=at + timedelta(seconds=1))
    assert markers.read(source, "acme").synced_marker == "m1"
