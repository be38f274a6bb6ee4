"""Contract tests: the fake Odoo in versions 17, 18 and 19 (default; ``ODOO_FAKE_VERSION=18`` runs one) or a
real Odoo 17, 18 or 19 (all of ODOO_TEST_URL, ODOO_TEST_DB, ODOO_TEST_USER, ODOO_TEST_PASSWORD set; for JSON-2
on 19 also ODOO_TEST_API_KEY) checked against the facts recorded from that version in
``odoo_test_server/recorded[/<version>]``. Calls go through plain ``xmlrpc.client.ServerProxy`` (JSON-2: urllib),
not the project's hook.

Against a real Odoo every record a test creates carries a unique prefix and is unlinked afterwards; tests
that need the fake's switches or direct inspection are skipped.
"""

from __future__ import annotations

import json
import os
import uuid
import xmlrpc.client
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from odoo_test_server import FakeOdoo, versions

ENV_VARS = ("ODOO_TEST_URL", "ODOO_TEST_DB", "ODOO_TEST_USER", "ODOO_TEST_PASSWORD")
LINE = "account.analytic.line"
ACCOUNT = "account.analytic.account"
PLAN = "account.analytic.plan"
PROJECT = "project.project"
CLEANUP_ORDER = (LINE, PROJECT, ACCOUNT, PLAN)
API_KEY = "key-123"
FAKE_VERSIONS = (17, 18, 19)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "contract: checks the test Odoo server against Odoo 17's recorded behaviour (or a real Odoo)",
    )


def real_odoo_configured() -> bool:
    return all(os.environ.get(name) for name in ENV_VARS)


def target_versions() -> tuple[int | None, ...]:
    """The fake's versions to run (None: the real server, whatever its version)."""
    if real_odoo_configured():
        return (None,)
    chosen = os.environ.get("ODOO_FAKE_VERSION")
    return (int(chosen),) if chosen else FAKE_VERSIONS


class OdooTarget:
    """The server under test, a way to call it, and the records to clean up."""

    def __init__(
        self, url: str, db: str, login: str, password: str, fake: FakeOdoo | None, api_key: str | None = None
    ) -> None:
        self.url, self.db, self.login, self.password = url.rstrip("/"), db, login, password
        self.fake, self.api_key = fake, api_key
        self.prefix = f"ct-{uuid.uuid4().hex[:8]}-"
        self.created: dict[str, list[int]] = {}
        self._uid: int | None = None
        self._version: int | None = fake.version if fake else None

    @property
    def version(self) -> int:
        """The server's major version (``common.version()``)."""
        if self._version is None:
            info: dict[str, Any] = self.common.version()  # type: ignore[assignment]
            self._version = int(info["server_version_info"][0])
        return self._version

    def facts(self, name: str) -> Any:
        """A file of the facts recorded from this server's version."""
        return _load(versions.recorded_dir(self.version) / name)

    @property
    def project_link(self) -> str:
        """project.project's link to its project-plan account (renamed in 18), read from fields_get."""
        fields = self.call(PROJECT, "fields_get", attributes=["type"])
        return "analytic_account_id" if "analytic_account_id" in fields else "account_id"

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

    def existing(self, model: str, ids: list[int]) -> list[int]:
        """The ids that still exist, archived included (``exists`` is private from Odoo 19)."""
        found = self.call(model, "search", [("id", "in", ids)], context={"active_test": False})
        return sorted(found, key=ids.index)

    def cleanup(self) -> None:
        """Unlink what the test made; records already gone (a project takes its account along) are fine."""
        for model in (*CLEANUP_ORDER, *[m for m in self.created if m not in CLEANUP_ORDER]):
            ids = self.existing(model, self.created.pop(model, [])) if model in self.created else []
            if model == PLAN:
                ids = self._drop_plan_sub_fields(ids)
            if ids:
                self.call(model, "unlink", ids)

    def _drop_plan_sub_fields(self, plan_ids: list[int]) -> list[int]:
        """Odoo 19 leaves a related field ``x_plan<ID>_id_<n>`` behind once a plan had children, which blocks
        the plan's unlink: remove those first (children before parents, too)."""
        for plan_id in plan_ids:
            domain = [("name", "=like", f"x_plan{plan_id}_id_%"), ("state", "=", "manual")]
            fields = self.call("ir.model.fields", "search", domain)
            if fields:
                self.call("ir.model.fields", "unlink", fields)
        return sorted(plan_ids, reverse=True)

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


@pytest.fixture(params=target_versions(), ids=lambda v: f"odoo{v}" if v else "real")
def odoo(request: pytest.FixtureRequest) -> Iterator[OdooTarget]:
    if request.param is None:
        env = os.environ
        target = OdooTarget(
            env["ODOO_TEST_URL"],
            env["ODOO_TEST_DB"],
            env["ODOO_TEST_USER"],
            env["ODOO_TEST_PASSWORD"],
            None,
            env.get("ODOO_TEST_API_KEY"),
        )
        try:
            yield target
        finally:
            target.cleanup()
        return
    srv = FakeOdoo(db="odoo", login="admin", password="admin", api_keys=(API_KEY,), version=request.param).start()
    try:
        yield OdooTarget(srv.url, srv.db, srv.login, srv.password, srv, API_KEY)
    finally:
        srv.stop()


@pytest.fixture
def fake(odoo: OdooTarget) -> FakeOdoo:
    """The fake server, for tests of its switches and inspection (skipped against a real Odoo)."""
    if odoo.fake is None:
        pytest.skip("needs the fake Odoo's switches or direct inspection")
    return odoo.fake


def _load(path: Path) -> Any:
    with path.open() as fh:
        return json.load(fh)


@pytest.fixture
def recorded_faults(odoo: OdooTarget) -> dict[str, dict[str, Any]]:
    return {entry["label"]: entry for entry in odoo.facts("faults.json")}


@pytest.fixture
def recorded_state(odoo: OdooTarget) -> dict[str, Any]:
    return odoo.facts("server_state.json")  # type: ignore[no-any-return]


@pytest.fixture
def recorded_fields(odoo: OdooTarget) -> dict[str, dict[str, Any]]:
    return odoo.facts("fields_get.json")  # type: ignore[no-any-return]


def since(odoo: OdooTarget, version: int, reason: str) -> None:
    """Skip unless the server is ``version`` or newer (behaviour recorded from that version only)."""
    if odoo.version < version:
        pytest.skip(f"Odoo {version}+: {reason}")


def until(odoo: OdooTarget, version: int, reason: str) -> None:
    """Skip unless the server is older than ``version`` (behaviour that version changed)."""
    if odoo.version >= version:
        pytest.skip(f"before Odoo {version}: {reason}")


def names_required_field(text: str, label: str, name: str) -> bool:
    """A missing-required-field fault names the field (17/18: 'Field: Label (name)', 19: "field 'Label' (name)")."""
    return f"Field: {label} ({name})" in text or f"the field '{label}' ({name})" in text


def last_line(text: str) -> str:
    """The last non-empty line of a traceback faultString (what the recordings keep)."""
    return [line for line in text.strip().splitlines() if line.strip()][-1]


def recorded_last_line(entry: dict[str, Any]) -> str:
    return str(entry["res"]["faultString"]).split("last line: ", 1)[1]


Call = Callable[[], Any]
