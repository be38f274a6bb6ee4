"""Pings against the loopback Odoo 17 test server: each failure class, sync_log rows, many tenants at once."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import psycopg
import pytest

from odoo_sync.config import TenantConfig
from odoo_sync.health.pinger import PingResult, ping_all, ping_tenant
from odoo_sync.health.settings import HealthSettings
from odoo_sync.health.state import evaluate
from odoo_sync.store.health import Ping, State
from odoo_sync.store.sync_log import RunContext
from odoo_test_server import FakeOdoo
from tests.conftest import set_airflow_conn
from tests.helpers import summarize
from tests.integration.conftest import PASSWORD, odoo_conn

pytestmark = pytest.mark.integration
RUN = RunContext("odoo_health", "manual__health", 1)


def tenant(tenant_id: str, **kw: object) -> TenantConfig:
    return TenantConfig(tenant_id=tenant_id, display_name=tenant_id.title(), **kw)


@pytest.fixture
def server() -> Iterator[FakeOdoo]:
    srv = FakeOdoo(db="acme", login="admin", password=PASSWORD).start()
    yield srv
    srv.stop()


def ping(server: FakeOdoo, tenant_id: str = "acme", timeout: float = 2.0, **extra: object) -> PingResult:
    odoo_conn(f"odoo_{tenant_id}", server, **extra)
    return ping_tenant(tenant(tenant_id), timeout, RUN).result


def rated(result: PingResult) -> State:
    as_ping = Ping(
        result.ts,
        result.ok,
        result.latency_ms,
        result.error_class,
        result.error,
        result.server_version,
        result.warnings,
        result.api_key_expires,
    )
    return evaluate(result.tenant_id, summarize([as_ping]), result.ts, HealthSettings()).state


def test_a_healthy_tenant(server: FakeOdoo) -> None:
    result = ping(server)
    assert (result.ok, result.server_version, result.error_class, result.warnings) == (True, "17.0", None, ())
    assert 0 < result.latency_ms < 2000 and rated(result) is State.GREEN
    assert [c.method for c in server.calls] == ["version", "authenticate", "execute_kw"]
    assert server.count(method="search_read") == 1 and server.count(method="create") == 0


def test_sync_log_rows_of_a_ping(server: FakeOdoo) -> None:
    odoo_conn("odoo_acme", server)
    outcome = ping_tenant(tenant("acme"), 2.0, RUN)
    assert [(r.tenant_id, r.method, r.outcome, r.dag_id) for r in outcome.log_rows] == [
        ("acme", "version", "ok", "odoo_health"),
        ("acme", "authenticate", "ok", "odoo_health"),
        ("acme", "search_read", "ok", "odoo_health"),
    ]


@pytest.mark.parametrize(
    ("switch", "error_class", "text"),
    [
        ({"reject_auth": True}, "auth", "wrong login or API key"),
        ({"http_error": 502}, "http", "HTTP 502"),
        ({"delay": 3.0}, "timeout", "timed out"),
        ({"down": True}, "connection", "Connection refused"),
    ],
)
def test_failure_classes(server: FakeOdoo, switch: dict, error_class: str, text: str) -> None:
    for name, value in switch.items():
        setattr(server, name, value)
    result = ping(server, timeout=1.0)
    assert (result.ok, result.error_class) == (False, error_class)
    assert text in (result.error or "")


def test_wrong_password_never_reaches_the_error_text(server: FakeOdoo) -> None:
    odoo_conn("odoo_acme", server, password="s3cret-wrong-pw")
    result = ping_tenant(tenant("acme"), 2.0, RUN).result
    assert result.error_class == "auth" and "s3cret-wrong-pw" not in (result.error or "")


def test_odoo_16_is_a_version_error_with_its_version() -> None:
    with FakeOdoo(db="acme", login="admin", password=PASSWORD, version=16) as old:
        result = ping(old)
    assert (result.ok, result.error_class, result.server_version) == (False, "version", "16.0")


def test_odoo_19_over_xmlrpc_is_amber() -> None:
    with FakeOdoo(db="acme", login="admin", password=PASSWORD, version=19) as new:
        result = ping(new)
    assert (result.ok, result.server_version, rated(result)) == (True, "19.0", State.AMBER)
    assert "reached over XML-RPC" in result.warnings[0] and "New API Key" in result.warnings[0]


def test_odoo_19_over_json2_is_green() -> None:
    with FakeOdoo(db="acme", login="admin", password=PASSWORD, version=19, api_keys=("key-19",)) as new:
        result = ping(new, password="key-19")
    assert (result.ok, result.server_version, result.warnings, rated(result)) == (True, "19.0", (), State.GREEN)
    assert {c.service for c in new.calls} == {"json2"}


def test_api_key_expiry_from_the_connection_extra(server: FakeOdoo) -> None:
    soon = date.fromordinal(datetime.now(UTC).date().toordinal() + 5).isoformat()
    result = ping(server, api_key_expires=soon)
    assert result.api_key_expires == date.fromisoformat(soon) and rated(result) is State.AMBER


def test_a_missing_plan_is_a_warning(server: FakeOdoo) -> None:
    odoo_conn("odoo_acme", server)
    config = tenant("acme", plans={"budget_detail": "Budget detail (renamed)"})
    result = ping_tenant(config, 2.0, RUN).result
    assert result.ok and result.warnings == (
        "analytic plan 'Budget detail (renamed)' is missing in Odoo (create it, or set create_plans: true)",
    )


def test_analytic_accounting_off_is_an_access_error(server: FakeOdoo) -> None:
    server.deny_access.add("account.analytic.plan")
    result = ping(server)
    assert (result.ok, result.error_class) == (False, "access")


def test_missing_connection_is_a_config_error() -> None:
    result = ping_tenant(tenant("nobody"), 1.0, RUN).result
    assert (result.ok, result.error_class) == (False, "config")


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts TCP connections (kernel backlog) and never answers: a hung Odoo."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1024)
        yield s.getsockname()[1]


def test_500_tenants_with_dead_ones_finish_well_under_a_minute(
    black_hole: int, db: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    # The test servers run in this process with a listen backlog of 5: spread the 300 live tenants over 25.
    servers = [FakeOdoo(db="acme", login="admin", password=PASSWORD).start() for _ in range(25)]
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))  # bound, never listening: connection refused
    tenants = []
    try:
        for i in range(500):
            tid = f"t{i:03d}"
            if i % 10 == 0:  # 50 hung
                url = f"http://127.0.0.1:{black_hole}"
            elif i % 10 in (1, 2, 3):  # 150 refused
                url = f"http://127.0.0.1:{refused.getsockname()[1]}"
            else:
                url = servers[i % 25].url
            set_airflow_conn(
                f"odoo_{tid}",
                conn_type="odoo",
                host=url,
                schema="acme",
                login="admin",
                password=PASSWORD,
                extra={"timeout": 60},
            )
            tenants.append(tenant(tid))
        started = time.perf_counter()
        outcomes = ping_all(tenants, timeout=3.0, concurrency=64, run=RUN)
        elapsed = time.perf_counter() - started
    finally:
        refused.close()
        for srv in servers:
            srv.stop()
    classes = {}
    for o in outcomes:
        classes[o.result.error_class] = classes.get(o.result.error_class, 0) + 1
    with capsys.disabled():
        print(f"\n500 tenants (300 up, 150 refused, 50 hung; timeout 3 s, 64 at once): {elapsed:.1f} s {classes}")
    assert classes == {None: 300, "connection": 150, "timeout": 50}
    assert elapsed < 30
