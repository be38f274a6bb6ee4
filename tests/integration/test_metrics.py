"""The metrics a run emits, received by a StatsD listener on loopback through Airflow's own StatsD backend
(``[metrics] statsd_on``), and checked against the documented list (docs/metrics.md)."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from odoo_sync import metrics
from odoo_sync.drift import check
from odoo_sync.health import monitor
from odoo_sync.health.pinger import PingResult
from odoo_sync.store import health as health_store
from odoo_sync.store.sync_log import CallResult, Entity, SyncLog
from tests.conftest import REPO
from tests.scenarios.world import World, seed_source, start_odoo

pytestmark = pytest.mark.integration


class StatsD:
    """A UDP socket on loopback collecting StatsD lines (``name:value|type``)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.lines: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                self.lines += self.sock.recv(65535).decode().splitlines()
            except TimeoutError:
                continue

    def names(self) -> set[str]:
        return {line.split(":")[0].removeprefix("airflow.") for line in self.lines}

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def statsd(monkeypatch: pytest.MonkeyPatch) -> Iterator[StatsD]:
    from airflow.sdk._shared.observability.metrics.base_stats_logger import NoStatsLogger
    from airflow.sdk.observability import stats
    from airflow.sdk.observability.metrics.stats_utils import get_stats_factory

    listener = StatsD()
    for key, value in {"STATSD_ON": "True", "STATSD_HOST": "127.0.0.1", "STATSD_PORT": str(listener.port)}.items():
        monkeypatch.setenv(f"AIRFLOW__METRICS__{key}", value)
    stats.initialize(factory=get_stats_factory(), export_legacy_names=False)  # as Airflow's task runner does
    yield listener
    stats.initialize(factory=NoStatsLogger, export_legacy_names=False)
    listener.close()


def wait_for(statsd: StatsD, name: str) -> None:
    for _ in range(50):
        if name in statsd.names():
            return
        threading.Event().wait(0.05)


@pytest.fixture
def world(
    airflow_db: None, db: psycopg.Connection, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    seed_source(db, pg_database)
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(tmp_path / "tenants.yaml"))
    server = start_odoo(db)
    w = World(db, server, tmp_path / "tenants.yaml")
    w.configure()
    yield w
    server.stop()


def test_a_sync_a_health_run_and_a_drift_check_emit_the_documented_names(world: World, statsd: StatsD) -> None:
    world.add_line(id="BAD-1", amount="twelve")  # rejected by validation
    assert world.run() == "success"
    SyncLog(world.db, "acme").record(  # what the writer logs when it looks a pending key up after a crash
        CallResult("account.analytic.line", "search_read", 200, 90, 3.0, "ok"),
        [Entity("line", "L-9", "create", "acme:line:L-9:create")],
    )
    now = datetime.now(UTC)
    health_store.insert_pings(world.db, [PingResult("acme", now, True, 42.0, None, None, "17.0")], None)
    monitor.evaluate_and_alert(now.isoformat())
    check.check_tenant("acme")
    wait_for(statsd, "odoo_sync.lines_waiting.acme")
    names = statsd.names()
    expected = {
        "odoo_sync.calls.acme.ok",
        "odoo_sync.call_ms.acme",
        "odoo_sync.mutations.acme.account_analytic_line.create",
        "odoo_sync.mutations.acme.account_analytic_account.create",
        "odoo_sync.mutations.acme.project_project.create",
        "odoo_sync.rejected.acme",
        "odoo_sync.in_doubt_readbacks.acme",
        "odoo_sync.health.acme",
        "odoo_sync.health_tenants.green",
        "odoo_sync.ping_ms.acme",
        "odoo_sync.drift.acme",
        "odoo_sync.lines_waiting.acme",
    }
    assert expected <= names, sorted(expected - names)
    ours = {n for n in names if n.startswith("odoo_sync.")}
    assert all(documented(n) for n in ours), sorted(n for n in ours if not documented(n))
    created = [line for line in statsd.lines if "mutations.acme.account_analytic_line.create" in line]
    assert sum(int(line.split(":")[1].split("|")[0]) for line in created) == 320  # one per line created


def documented(name: str) -> bool:
    """Does the name match one of the templates (placeholders: one segment each)?"""
    return any(re.fullmatch(re.sub(r"\\\{\w+\\\}", r"[\\w-]+", re.escape(t)), name) for t in metrics.METRICS)


def test_docs_list_every_metric() -> None:
    text = (REPO / "docs" / "metrics.md").read_text()
    assert [t for t in metrics.METRICS if f"`{t}`" not in text] == []
