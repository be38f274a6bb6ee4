"""The write guard and the tenant boundary cannot be talked round."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_sync.config import load_tenants
from odoo_sync.errors import OdooPermanentError, OdooWriteRefused
from odoo_sync.odoo import guard
from odoo_sync.odoo.hook import OdooHook
from odoo_test_server import FakeOdoo
from tests.integration.conftest import odoo_conn
from tests.reliability import figures

pytestmark = pytest.mark.reliability
WRITABLE = sorted(guard.WRITABLE_MODELS)
SNEAKY_METHODS = [
    "copy",
    "name_create",
    "import",
    "import_data",
    "execute",
    "execute_kw",
    "action_post",
    "toggle_active",
    "message_post",
    "write ",
    " create",
    "CREATE",
    "Unlink",
    "create\x00",
    "sudo",
    "_write",
    "_create",
    "set_param",
    "button_validate",
    "web_save",
    "onchange",
    "copy_data",
]
FINANCE = [
    "res.partner",
    "account.move",
    "account.move.line",
    "account.account",
    "account.analytic.plan",
    "res.users",
    "ir.config_parameter",
    "ir.model.access",
]


def variants(model: str) -> list[str]:
    return [
        model.upper(),
        model.title(),
        f" {model}",
        f"{model} ",
        f"{model}\n",
        model.replace(".", "_"),
        model.replace(".", ". "),
        f"{model}\x00",
        model.replace("a", "\u0430"),
    ]  # Cyrillic a


MODELS = st.one_of(
    st.sampled_from(WRITABLE + FINANCE),
    st.sampled_from(WRITABLE).map(variants).flatmap(st.sampled_from),
    st.text(max_size=40),
)
METHODS = st.one_of(
    st.sampled_from(sorted(guard.MUTATING_METHODS | guard.READ_METHODS) + SNEAKY_METHODS), st.text(max_size=20)
)


@settings(max_examples=1000, deadline=None)
@given(model=MODELS, method=METHODS)
def test_only_reads_and_our_three_models_pass_the_guard(model: str, method: str) -> None:
    allowed = method in guard.READ_METHODS or (method in guard.MUTATING_METHODS and model in guard.WRITABLE_MODELS)
    try:
        guard.check_call(model, method)
    except guard.WriteRefused:
        figures.add("guard_calls_refused")
        assert not allowed
        return
    figures.add("guard_bypasses", 0 if allowed else 1)
    assert allowed, f"{method!r} on {model!r} passed the guard"


@pytest.fixture
def server() -> FakeOdoo:
    srv = FakeOdoo(db="acme", login="admin", password="guard-pw-123").start()
    odoo_conn("odoo_guard", srv, password="guard-pw-123", tenant_id="acme")
    yield srv
    srv.stop()


@pytest.mark.parametrize("method", SNEAKY_METHODS)
@pytest.mark.parametrize("model", ["account.analytic.line", "res.partner", "ACCOUNT.ANALYTIC.LINE"])
def test_the_hook_refuses_writes_by_other_names_before_sending(server: FakeOdoo, model: str, method: str) -> None:
    hook = OdooHook("odoo_guard", tenant_id="acme")
    hook.get_conn()
    before = len(server.calls)
    with pytest.raises(OdooWriteRefused):
        hook.execute(model, method, [[1], {"name": "x"}])
    figures.add("guard_calls_refused")
    assert len(server.calls) == before


@pytest.mark.parametrize("model", FINANCE)
@pytest.mark.parametrize("method", ["create", "write", "unlink", "load"])
def test_finance_models_are_never_written(server: FakeOdoo, model: str, method: str) -> None:
    hook = OdooHook("odoo_guard", tenant_id="acme")
    with pytest.raises(OdooWriteRefused):
        hook.execute(model, method, [[1]])
    figures.add("guard_calls_refused")
    assert server.count(model) == 0


def test_the_raw_client_cannot_bypass_the_guard(server: FakeOdoo) -> None:
    hook = OdooHook("odoo_guard", tenant_id="acme")
    client = hook.get_conn()
    try:
        client.execute_kw(hook.uid, "res.partner", "write", [[1], {"name": "pwned"}], {})
    except (guard.WriteRefused, OdooWriteRefused):
        figures.add("guard_calls_refused")
    else:
        figures.add("guard_bypasses")
    assert server.count("res.partner", "write") == 0


def test_a_tenant_cannot_use_another_tenants_connection(server: FakeOdoo) -> None:
    odoo_conn("odoo_globex_x", server, password="guard-pw-123", tenant_id="globex")
    seen = server.requests_seen
    with pytest.raises(OdooPermanentError, match="belongs to tenant 'globex'"):
        OdooHook("odoo_globex_x", tenant_id="acme").get_conn()
    assert server.requests_seen == seen  # refused before any request
    figures.add("guard_calls_refused")


def test_a_tenant_config_pointing_at_another_tenants_connection_fails_its_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odoo_for: Callable[..., FakeOdoo], pg_database: str
) -> None:
    globex = odoo_for("globex")
    path = tmp_path / "tenants.yaml"
    path.write_text("tenants:\n  - {tenant_id: acme, display_name: ACME, odoo_conn_id: odoo_globex}\n")
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(path))
    from odoo_sync.airflow import tasks

    with pytest.raises(OdooPermanentError, match="belongs to tenant 'globex'"):
        tasks.check_odoo("acme", {})
    assert globex.requests_seen == 0
    figures.add("cross_tenant_calls", globex.requests_seen)


def test_two_tenants_cannot_share_one_odoo_connection(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(
        "tenants:\n  - {tenant_id: acme, display_name: A, odoo_conn_id: odoo_shared}\n"
        "  - {tenant_id: globex, display_name: G, odoo_conn_id: odoo_shared}\n"
    )
    result = load_tenants(path)
    assert any("odoo_conn_id" in e for e in result.errors)
    assert [t.tenant_id for t in result.tenants] == ["acme"]
