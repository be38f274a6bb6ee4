"""The health page shows a user the tenants whose DAGs Airflow lets them read, and nothing of the others: pills,
counts, /api/health, the sync log (errors included), the tenant drop-down and dry-run money.

Real SimpleAuthManager with teams (tests/integration/airflow_access.py): alice reads team_a's DAGs (acme), bob
team_b's (beta, gamma); only Airflow's login (``get_user``) is replaced by the user it would return.
"""

from __future__ import annotations

import json
import re
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from odoo_sync.dashboard.app import create_app
from tests.integration.airflow_access import init_auth_manager, register_tenant_dags, user
from tests.integration.test_health_dashboard import seed

pytestmark = pytest.mark.integration
ALICE, BOB = user("alice", "viewer", "team_a"), user("bob", "viewer", "team_b")


@pytest.fixture(scope="module")
def teams(airflow_db: None) -> None:
    register_tenant_dags({"team_a": ["acme"], "team_b": ["beta", "gamma"]})
    init_auth_manager()


def client_for(person: Any) -> TestClient:
    from airflow.api_fastapi.core_api.security import get_user

    app = create_app()
    app.dependency_overrides[get_user] = lambda: person
    return TestClient(app)


@pytest.fixture
def seeded(db: psycopg.Connection, teams: None) -> psycopg.Connection:
    seed(db)  # acme green (60 sync_log rows), beta amber, gamma red (an error row)
    for tenant, money in (("acme", "-10.00"), ("gamma", "-99999.00")):
        summary = {"entities": {"line": {"counts": {"create": 1}}}, "money": {"project": {"PRJ-G": money}}}
        db.execute(
            "INSERT INTO odoo_sync.dry_run (tenant_id, dag_id, run_id, summary) VALUES (%s, %s, 'manual__dry', %s)",
            (tenant, f"odoo_sync__{tenant}", json.dumps(summary)),
        )
    db.commit()
    return db


def test_a_user_sees_only_the_tenants_whose_dags_they_may_read(seeded: psycopg.Connection) -> None:
    alice, bob = client_for(ALICE), client_for(BOB)
    body = alice.get("/api/health").json()
    assert [t["tenant_id"] for t in body["tenants"]] == ["acme"]
    assert body["counts"] == {"green": 1, "amber": 0, "red": 0, "drift": 0}
    assert [t["tenant_id"] for t in bob.get("/api/health").json()["tenants"]] == ["gamma", "beta"]
    html = alice.get("/").text
    assert re.findall(r'data-tenant="(\w+)"', html) == ["acme"] * html.count('data-tenant="acme"')
    assert "gamma" not in html and "beta" not in html and "-99999.00" not in html  # no pill, option, error, money
    assert "PRJ-G: -10.00" in html


def test_the_sync_log_holds_only_the_users_tenants(seeded: psycopg.Connection) -> None:
    rows = client_for(ALICE).get("/api/sync-log", params={"page_size": 500}).json()["rows"]
    assert len(rows) == 60 and {r["tenant_id"] for r in rows} == {"acme"}
    errors = client_for(BOB).get("/api/sync-log", params={"outcome": "error"}).json()["rows"]
    assert [r["tenant_id"] for r in errors] == ["gamma"]
    assert client_for(BOB).get("/api/sync-log", params={"tenant": "acme"}).status_code == 404


@pytest.mark.parametrize("path", ["/", "/api/sync-log"])
def test_another_tenants_details_are_a_404(seeded: psycopg.Connection, path: str) -> None:
    alice = client_for(ALICE)
    response = alice.get(path, params={"tenant": "gamma"})
    assert response.status_code == 404 and "onerror" not in response.text
    assert alice.get(path, params={"tenant": "acme"}).status_code == 200


def test_a_user_without_dag_access_sees_no_tenant_and_an_admin_all(seeded: psycopg.Connection) -> None:
    assert client_for(user("carol", "viewer", "team_c")).get("/api/health").json()["tenants"] == []
    admin = [t["tenant_id"] for t in client_for(user("root", "admin")).get("/api/health").json()["tenants"]]
    assert {"acme", "beta", "gamma"} <= set(admin)


def test_anonymous_still_gets_401(seeded: psycopg.Connection) -> None:
    assert TestClient(create_app()).get("/api/health", params={"tenant": "acme"}).status_code == 401
