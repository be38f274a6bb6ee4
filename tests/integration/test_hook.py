"""OdooHook against the test server over real HTTP, auditing into the real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest

from odoo_sync.errors import (
    OdooAuthError,
    OdooPermanentError,
    OdooTransientError,
    OdooVersionError,
    OdooWriteRefused,
)
from odoo_sync.odoo.guard import FINANCE_MODELS
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.store.sync_log import Entity, SyncLog
from odoo_test_server import FakeOdoo
from tests.integration.conftest import PASSWORD, odoo_conn

pytestmark = pytest.mark.integration


def log_rows(db: psycopg.Connection, where: str = "TRUE") -> list[dict]:
    with db.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(f"SELECT * FROM odoo_sync.sync_log WHERE {where} ORDER BY id")  # noqa: S608 - test literals
        return cur.fetchall()


@pytest.mark.parametrize("model", FINANCE_MODELS)
def test_guard_refuses_finance_models_before_any_network_call(hook: OdooHook, odoo: FakeOdoo, model: str) -> None:
    with pytest.raises(OdooWriteRefused, match="finance"):
        hook.execute(model, "create", [{"name": "x"}])
    assert odoo.calls == []


def test_version_16_is_refused_with_an_explanation(sync_log: SyncLog) -> None:
    server = FakeOdoo(db="acme", login="admin", password=PASSWORD, version=16).start()
    try:
        odoo_conn("odoo_v16", server)
        with pytest.raises(OdooVersionError, match=r"multi-plan analytics .* 17 or newer"):
            OdooHook("odoo_v16", tenant_id="acme", sync_log=sync_log).get_conn()
        assert [c.method for c in server.calls] == ["version"]
    finally:
        server.stop()


def test_authenticates_once_per_hook(hook: OdooHook, odoo: FakeOdoo) -> None:
    for _ in range(3):
        hook.search_count("account.analytic.plan", [])
    assert [c.method for c in odoo.calls].count("authenticate") == 1


def test_wrong_password_is_a_clear_non_retryable_error(odoo: FakeOdoo, sync_log: SyncLog, db) -> None:
    odoo_conn("odoo_wrong", odoo, password="not-the-password-xyz")
    with pytest.raises(OdooAuthError, match="wrong login or API key"):
        OdooHook("odoo_wrong", tenant_id="acme", sync_log=sync_log).get_conn()
    assert "not-the-password-xyz" not in str(log_rows(db))


def test_every_call_has_a_complete_sync_log_row(hook: OdooHook, db: psycopg.Connection) -> None:
    hook.create_many(
        "account.analytic.account",
        [{"name": "HR", "code": "HR", "plan_id": 3}],
        [Entity("category", "HR", "create", "acme:category:HR:create")],
    )
    rows = log_rows(db)
    assert [r["method"] for r in rows] == ["version", "authenticate", "create"]
    create = rows[-1]
    for column in (
        "ts",
        "tenant_id",
        "entity_type",
        "entity_id",
        "operation",
        "idempotency_key",
        "odoo_model",
        "http_status",
        "response_bytes",
        "latency_ms",
        "outcome",
        "odoo_id",
        "call_id",
        "dag_id",
        "run_id",
        "try_number",
    ):
        assert create[column] is not None, column
    assert (create["http_status"], create["outcome"]) == (200, "ok")
    assert create["response_bytes"] > 50 and create["latency_ms"] > 0


def test_http_502_is_retryable_and_logged(hook: OdooHook, odoo: FakeOdoo, db: psycopg.Connection) -> None:
    hook.get_conn()
    odoo.http_error = 502
    with pytest.raises(OdooTransientError, match=r"tenant acme: account\.analytic\.line\.search_read failed"):
        hook.search_read("account.analytic.line", [], ["id"])
    last = log_rows(db)[-1]
    assert (last["http_status"], last["outcome"]) == (502, "error")


def test_429_is_retried_after_retry_after(hook: OdooHook, odoo: FakeOdoo) -> None:
    hook.get_conn()
    odoo.retry_after = 0.2
    odoo.http_error = 429
    odoo.http_error_count = 1
    assert hook.search_count("account.analytic.plan", []) >= 3


def test_connection_refused_is_retryable(hook: OdooHook, odoo: FakeOdoo) -> None:
    hook.get_conn()
    odoo.down = True
    with pytest.raises(OdooTransientError):
        hook.search_count("account.analytic.plan", [])


def test_timeout_on_a_create_is_in_doubt(hook: OdooHook, odoo: FakeOdoo, db: psycopg.Connection) -> None:
    hook.get_conn()
    odoo.delay = 3.0  # the connection's timeout is 2 s
    with pytest.raises(OdooTransientError) as err:
        hook.create_many(
            "account.analytic.account", [{"name": "HR", "plan_id": 3}], [Entity("category", "HR", "create")]
        )
    assert err.value.in_doubt
    assert log_rows(db)[-1]["http_status"] is None


def test_validation_fault_names_tenant_model_operation_and_key(hook: OdooHook) -> None:
    with pytest.raises(OdooPermanentError) as err:
        hook.create_many(
            "account.analytic.line",
            [{"amount": 1.0, "date": "2026-01-02"}],
            [Entity("line", "7", "create", "acme:line:7:create")],
        )
    text = str(err.value)
    assert "tenant acme" in text and "account.analytic.line.create" in text and "acme:line:7:create" in text


def test_secrets_never_reach_the_sync_log(odoo: FakeOdoo, sync_log: SyncLog, db: psycopg.Connection) -> None:
    odoo.reject_auth = True
    odoo.fail_record = lambda model, vals: "upstream said secret=hunter2-topsecret"
    hook = OdooHook("odoo_test", tenant_id="acme", sync_log=sync_log)
    with pytest.raises(OdooAuthError):
        hook.get_conn()
    odoo.reject_auth = False
    with pytest.raises(OdooPermanentError):
        hook.create_many(
            "account.analytic.line",
            [{"name": "x", "amount": 1, "date": "2026-01-02"}],
            [Entity("line", "1", "create", "acme:line:1:create")],
        )
    dump = str(log_rows(db))
    assert PASSWORD not in dump and "hunter2-topsecret" not in dump
    assert "secret=***" in dump


def test_test_connection_reports_success_and_failure(hook: OdooHook, odoo: FakeOdoo) -> None:
    ok, message = hook.test_connection()
    assert ok and "17.0" in message
    odoo.down = True
    ok, message = OdooHook("odoo_test", tenant_id="acme").test_connection()
    assert not ok and "Connection" in message and PASSWORD not in message


def test_a_tenant_cannot_use_another_tenants_connection(odoo: FakeOdoo, sync_log: SyncLog) -> None:
    odoo_conn("odoo_globex", odoo, tenant_id="globex")
    with pytest.raises(OdooPermanentError, match="belongs to tenant 'globex'"):
        OdooHook("odoo_globex", tenant_id="acme", sync_log=sync_log).get_conn()
    assert odoo.calls == []
    ok, _ = OdooHook("odoo_globex").test_connection()  # as the UI's Test button builds it
    assert ok
