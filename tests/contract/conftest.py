"""Contract tests: the fake Odoo (default) or a real Odoo 17 (all of ODOO_TEST_URL, ODOO_TEST_DB,
ODOO_TEST_USER, ODOO_TEST_PASSWORD set) checked against the facts recorded from Odoo 17 in
``tests/fake_odoo/recorded``. Calls go through plain ``xmlrpc.client.ServerProxy``, not the project's hook.

Against a real Odoo every record a test creates carries a unique prefix and is unlinked afterwards; tests
that need the fake's switches or direct inspection are skipped.
"""

from __future__ import annotations

import json
import os
import uuid
import xmlrpc.client
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.fake_odoo import RECORDED_DIR, FakeOdoo

ENV_VARS = ("ODOO_TEST_URL", "ODOO_TEST_DB", "ODOO_TEST_USER", "ODOO_TEST_PASSWORD")
LINE = "account.analytic.line"
ACCOUNT = "account.analytic.account"
PLAN = "account.analytic.plan"
PROJECT = "project.project"
CLEANUP_ORDER = (LINE, PROJECT, ACCOUNT, PLAN)
API_KEY = "key-123"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "contract: checks the test Odoo server against Odoo 17's recorded behaviour (or a real Odoo)",
    )


def real_odoo_configured() -> bool:
    return all(os.environ.get(name) for name in ENV_VARS)


class OdooTarget:
    """The server under test, a way to call it, and the records to clean up."""

    def __init__(self, url: str, db: str, login: str, password: str, fake: FakeOdoo | None) -> None:
        self.url, self.db, self.login, self.password = url.rstrip("/"), db, login, password
        self.fake = fake
        self.prefix = f"ct-{uuid.uuid4().hex[:8]}-"
        self.created: dict[str, list[int]] = {}
        self._uid: int | None = None

    @property
    def real(self) -> bool:
        return self.fake is None

    def proxy(self, service: str, allow_none: bool = False) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/{service}", allow_none=allow_none)

    @property
    def common(self) -> xmlrpc.client.ServerProxy:
        return self.proxy("common")

    @property
    def uid(self) -> int:
        if self._uid is None:
            uid = self.common.authenticate(self.db, self.login, self.password, {})
            assert isinstance(uid, int) and uid, f"cannot log in as {self.login!r}"
            self._uid = uid
        return self._uid

    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.proxy("object").execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    def fault(self, model: str, method: str, *args: Any, **kwargs: Any) -> xmlrpc.client.Fault:
        with pytest.raises(xmlrpc.client.Fault) as info:
            self.call(model, method, *args, **kwargs)
        return info.value

    def create(self, model: str, vals: dict[str, Any] | list[dict[str, Any]]) -> Any:
        """create, remembering the ids for clean-up."""
        result = self.call(model, "create", vals)
        self.created.setdefault(model, []).extend(result if isinstance(result, list) else [result])
        return result

    def cleanup(self) -> None:
        for model in (*CLEANUP_ORDER, *[m for m in self.created if m not in CLEANUP_ORDER]):
            ids = self.call(model, "exists", self.created.pop(model, [])) if model in self.created else []
            if ids:
                self.call(model, "unlink", ids)

    # -- plans -------------------------------------------------------------------------------------------
    def project_plan(self) -> int:
        return int(self.call("ir.config_parameter", "get_param", "analytic.project_plan") or 0)

    def root_plans(self) -> list[dict[str, Any]]:
        return self.call(PLAN, "search_read", [("parent_id", "=", False)], fields=["name"], order="id")

    def plan_column(self) -> tuple[int, str]:
        """A root plan other than the project plan and its column on lines (made if none exists)."""
        project_plan = self.project_plan()
        others = [p["id"] for p in self.root_plans() if p["id"] != project_plan]
        plan_id = others[0] if others else self.create(PLAN, {"name": f"{self.prefix}plan"})
        return plan_id, f"x_plan{plan_id}_id"

    def account(self, plan_id: int, code: str, **vals: Any) -> int:
        return int(
            self.create(
                ACCOUNT,
                {"name": f"{self.prefix}{code}", "code": f"{self.prefix}{code}", "plan_id": plan_id, **vals},
            )
        )


@pytest.fixture
def odoo() -> Iterator[OdooTarget]:
    if real_odoo_configured():
        env = os.environ
        target = OdooTarget(
            env["ODOO_TEST_URL"], env["ODOO_TEST_DB"], env["ODOO_TEST_USER"], env["ODOO_TEST_PASSWORD"], None
        )
        try:
            yield target
        finally:
            target.cleanup()
        return
    srv = FakeOdoo(db="odoo", login="admin", password="admin", api_keys=(API_KEY,)).start()
    try:
        yield OdooTarget(srv.url, srv.db, srv.login, srv.password, srv)
    finally:
        srv.stop()


@pytest.fixture
def fake(odoo: OdooTarget) -> FakeOdoo:
    """The fake server, for tests of its switches and inspection (skipped against a real Odoo)."""
    if odoo.fake is None:
        pytest.skip("needs the fake Odoo's switches or direct inspection")
    return odoo.fake


def _load(name: str) -> Any:
    with (RECORDED_DIR / name).open() as fh:
        return json.load(fh)


@pytest.fixture(scope="session")
def recorded_faults() -> dict[str, dict[str, Any]]:
    return {entry["label"]: entry for entry in _load("faults.json")}


@pytest.fixture(scope="session")
def recorded_state() -> dict[str, Any]:
    return _load("server_state.json")


@pytest.fixture(scope="session")
def recorded_fields() -> dict[str, dict[str, Any]]:
    return _load("fields_get.json")


def last_line(text: str) -> str:
    """The last non-empty line of a traceback faultString (what the recordings keep)."""
    return [line for line in text.strip().splitlines() if line.strip()][-1]


def recorded_last_line(entry: dict[str, Any]) -> str:
    return str(entry["res"]["faultString"]).split("last line: ", 1)[1]


Call = Callable[[], Any]
