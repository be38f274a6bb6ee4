"""The dashboard app on the real PostgreSQL through FastAPI's TestClient (tests/browser: real api-server)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from odoo_sync.dashboard.app import create_app
from odoo_sync.store import health as health_store
from odoo_sync.store.health import Health, Ping, State
from odoo_sync.store.sync_log import CallResult, Entity, RunContext, SyncLog
from tests.integration.airflow_access import init_auth_manager, register_tenant_dags, user

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
EVIL = "<img src=x onerror=alert(1)>"
SEEDED_TENANTS = ["acme", "beta", "gamma"]


def seed(db: psycopg.Connection, error: str = EVIL) -> None:
    """Three tenants (green, amber, red) and some sync_log rows; ``error`` is the red tenant's error text."""
    db.execute("TRUNCATE odoo_sync.health_state")
    since = T0 - timedelta(minutes=20)
    good = Ping(since - timedelta(minutes=5), True, 38.0, server_version="17.0")
    failing = f"failing since {since:%Y-%m-%d %H:%M} UTC (5 failed ping(s))"
    healths = [
        Health("acme", State.GREEN, T0 - timedelta(days=2), (), Ping(T0, True, 42.0, server_version="17.0")),
        Health(
            "beta",
            State.AMBER,
            T0,
            ("slow: 3,100 ms (threshold 2,000 ms)",),
            Ping(T0, True, 3100.0, server_version="17.0"),
            Ping(T0, True, 3100.0, server_version="17.0"),
        ),
        Health("gamma", State.RED, since, (failing, error), Ping(T0, False, 2.0, "connection", error), good, 5),
    ]
    health_store.save_states(db, healths, T0)
    log = SyncLog(db, "acme", RunContext("odoo_sync__acme", "scheduled__2026-11-23T09:00:00+00:00", 1))
    for i in range(60):
        key = f"acme:project:PRJ-{i:03d}:create"
        call = CallResult("account.analytic.account", "create", 200, 300, 7.5, "ok", call_id=uuid.uuid4())
        log.record(call, [Entity("project", f"PRJ-{i:03d}", "create", key)], [1000 + i])
    SyncLog(db, "gamma", RunContext("odoo_health", "scheduled__2026-11-23T10:00:00+00:00", 1)).record(
        CallResult(None, "version", None, 0, 2.0, "error", error)
    )


@pytest.fixture(scope="module")
def admin(airflow_db: None) -> Any:
    """An admin of the real SimpleAuthManager; every tenant here has its DAG (the page shows tenants by DAG)."""
    register_tenant_dags({"ops": [*SEEDED_TENANTS, *(f"t{i:03d}" for i in range(500))]})
    init_auth_manager()
    return user("admin", "admin")


@pytest.fixture
def client(db: psycopg.Connection, admin: Any) -> TestClient:
    from airflow.api_fastapi.core_api.security import get_user

    seed(db)
    app = create_app()
    app.dependency_overrides[get_user] = lambda: admin  # Airflow's own login is tested in tests/browser
    return TestClient(app)


def test_anonymous_requests_get_401(db: psycopg.Connection) -> None:
    anonymous = TestClient(create_app())
    for path in ("/", "/api/health", "/api/sync-log", "/runbook"):
        assert anonymous.get(path).status_code == 401, path


def test_one_pill_per_tenant_with_its_colour(client: TestClient) -> None:
    html = client.get("/").text
    pills = re.findall(r'class="card \w+" data-tenant="(\w+)" data-state="(\w+)"', html)
    assert pills == [("gamma", "red"), ("beta", "amber"), ("acme", "green")]
    assert "1 red" in html and "1 amber" in html and "1 green" in html


def test_everything_from_the_database_is_escaped(client: TestClient) -> None:
    html = client.get("/", params={"tenant": "gamma"}).text
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in client.get("/", params={"key": EVIL}).text


def test_filter_by_key_exact_and_prefix(client: TestClient) -> None:
    one = client.get("/api/sync-log", params={"key": "acme:project:PRJ-007:create"}).json()
    assert [r["odoo_id"] for r in one["rows"]] == [1007]
    prefix = client.get("/api/sync-log", params={"key": "acme:project:PRJ-01*"}).json()
    assert len(prefix["rows"]) == 10
    assert "acme:project:PRJ-007:create" in client.get("/", params={"key": "acme:project:PRJ-007:create"}).text


def test_filter_by_tenant_outcome_and_time(client: TestClient) -> None:
    errors = client.get("/api/sync-log", params={"outcome": "error"}).json()["rows"]
    assert [(r["tenant_id"], r["method"]) for r in errors] == [("gamma", "version")]
    future = client.get("/api/sync-log", params={"since": "2999-01-01T00:00"}).json()["rows"]
    assert future == []
    assert client.get("/api/sync-log", params={"outcome": "maybe"}).status_code == 422
    assert client.get("/api/sync-log", params={"since": "yesterday"}).status_code == 422


def test_paging(client: TestClient) -> None:
    first = client.get("/api/sync-log", params={"tenant": "acme", "page_size": 25}).json()
    third = client.get("/api/sync-log", params={"tenant": "acme", "page_size": 25, "page": 3}).json()
    assert (len(first["rows"]), first["has_next"]) == (25, True)
    assert (len(third["rows"]), third["has_next"]) == (10, False)
    html = client.get("/", params={"tenant": "acme", "page_size": 25}).text
    assert "page=2" in html and "tenant=acme" in html


def test_health_json(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["counts"] == {"green": 1, "amber": 1, "red": 1, "drift": 0}
    red = body["tenants"][0]
    assert (red["tenant_id"], red["state"], red["error_class"], red["failures"]) == (
        "gamma",
        "red",
        "connection",
        5,
    )


def test_the_dashboard_cannot_write(client: TestClient, db: psycopg.Connection) -> None:
    """The session is read-only: even a bug in a query could not change the data."""
    from odoo_sync.dashboard.app import connection

    sessions = connection()
    conn = next(sessions)
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("DELETE FROM odoo_sync.health_state")
    sessions.close()


def test_drift_badge_last_sync_and_lines_waiting(client: TestClient, db: psycopg.Connection) -> None:
    db.execute("TRUNCATE odoo_sync.drift_check")
    db.execute(
        "INSERT INTO odoo_sync.drift_check (tenant_id, checked_at, state, totals_drift, missing, findings)"
        " VALUES ('beta', %s, 'clean', 0, 0, '{}'), ('beta', %s, 'drift', 3, 1, %s)",
        (T0 - timedelta(days=1), T0, '{"summary": "3 plan total(s) changed in Odoo by hand <b>"}'),
    )
    db.execute(
        "INSERT INTO odoo_sync.watermark (tenant_id, entity_type, watermark, updated_at)"
        " VALUES ('acme', 'line', %s, %s)",
        (T0, T0 - timedelta(minutes=7)),
    )
    db.execute(
        "INSERT INTO odoo_sync.record (tenant_id, entity_type, entity_id, odoo_model, state, error)"
        " VALUES ('acme', 'line', 'L1', 'account.analytic.line', 'absent', 'amount: not a number')"
    )
    db.commit()
    html = client.get("/").text
    badges = re.findall(r'data-testid="drift-badge" data-drift="(\w+)"', html)
    assert badges == ["drift"]  # the latest check of beta; the others were never checked
    assert "1 drifting" in html and "changed in Odoo by hand &lt;b&gt;" in html
    tenants = {t["tenant_id"]: t for t in client.get("/api/health").json()["tenants"]}
    assert tenants["beta"]["drift_state"] == "drift" and tenants["acme"]["drift_state"] is None
    assert tenants["acme"]["lines_waiting"] == 1 and tenants["acme"]["last_sync_at"].startswith("2026-11-23T09:53")


def test_each_tenant_shows_its_last_change_seen_and_whether_it_is_synced(
    client: TestClient, db: psycopg.Connection
) -> None:
    from odoo_sync.store import markers

    markers.note_seen(db, "acme", "m1", T0 - timedelta(minutes=3), T0, pending=True)
    markers.mark_synced(db, "acme", T0, read_until=T0)
    markers.note_seen(db, "beta", "m2", T0 - timedelta(minutes=1), T0, pending=True)  # seen, its run not done
    tenants = {t["tenant_id"]: t for t in client.get("/api/health").json()["tenants"]}
    assert tenants["acme"]["last_change_at"].startswith("2026-11-23T09:57") and tenants["acme"]["change_synced"]
    assert tenants["beta"]["change_synced"] is False
    cells = re.findall(
        r'data-testid="last-change"[^>]*>([^<]*)(?:<span class="muted">(\w[\w ]*)</span>)?', client.get("/").text
    )
    cells = [(when.strip(), label) for when, label in cells]
    assert ("11-23 09:57", "synced") in cells and ("11-23 09:59", "to sync") in cells


def test_500_tenants_a_compact_table_cards_only_for_those_needing_attention(
    client: TestClient, db: psycopg.Connection
) -> None:
    states = [State.RED if i % 50 == 0 else State.AMBER if i % 10 == 0 else State.GREEN for i in range(500)]
    healths = [
        Health(f"t{i:03d}", st, T0, (), Ping(T0, st is not State.RED, 40.0 + i, server_version="17.0"))
        for i, st in enumerate(states)
    ]
    db.execute("TRUNCATE odoo_sync.health_state, odoo_sync.drift_check")
    health_store.save_states(db, healths, T0)
    html = client.get("/").text
    rows = re.findall(r'<tr data-tenant="(\w+)" data-state="(\w+)"', html)
    cards = re.findall(r'class="card (\w+)" data-tenant', html)
    assert len(rows) == 500 and rows[0] == ("t000", "red")  # red first, then amber, then green
    assert len(cards) == 10 + 40 and "green" not in cards  # every red and amber tenant, no green one
    assert 'data-testid="state-filter"' in html and 'data-testid="tenant-search"' in html
    body = client.get("/api/health", params={"state": "red", "q": "t1"}).json()
    assert [t["tenant_id"] for t in body["tenants"]] == ["t100", "t150"]
    assert body["counts"]["green"] == 450


def test_a_dry_run_is_shown_with_its_counts_and_the_money_per_project(
    client: TestClient, db: psycopg.Connection
) -> None:
    summary = {
        "tenant_id": "acme",
        "entities": {"line": {"counts": {"create": 3, "write": 1, "remove": 2, "rejected": 0, "unchanged": 9}}},
        "money": {"project": {"PRJ-001": "-1250.00", "PRJ-002": "80.00"}},
    }
    db.execute(
        "INSERT INTO odoo_sync.dry_run (tenant_id, dag_id, run_id, summary) VALUES ('acme', 'odoo_sync__acme',"
        " 'manual__dry', %s)",
        (json.dumps(summary),),
    )
    db.commit()
    html = client.get("/").text
    table = html[html.index('data-testid="dry-runs"') :]
    assert "manual__dry" in table and "line: 3 / 1 / 2" in table
    assert "PRJ-001: -1250.00" in table and "PRJ-002: 80.00" in table
