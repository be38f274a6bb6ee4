"""The common service and the HTTP envelope: version, authenticate, login, wrong database, bad services."""

from __future__ import annotations

import http.client
import xmlrpc.client
from typing import Any
from urllib.parse import urlsplit

import pytest

from odoo_test_server import FakeOdoo
from tests.contract.conftest import API_KEY, OdooTarget, last_line, recorded_last_line

pytestmark = pytest.mark.contract


def post(odoo: OdooTarget, path: str, body: bytes) -> http.client.HTTPResponse:
    parts = urlsplit(odoo.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    conn.request("POST", path, body, {"Content-Type": "text/xml"})
    return conn.getresponse()


def test_version_has_the_recorded_shape(odoo: OdooTarget, recorded_state: dict[str, Any]) -> None:
    version = odoo.common.version()
    expected = recorded_state["version"]
    assert set(version) == set(expected)
    assert version["server_version_info"][0] == expected["server_version_info"][0]
    assert [type(v) for v in version["server_version_info"]] == [int, int, int, str, int, str]
    if not odoo.real:
        assert version == expected


def test_authenticate_returns_the_uid(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    uid = odoo.common.authenticate(odoo.db, odoo.login, odoo.password, {})
    assert isinstance(uid, int) and uid > 0
    if not odoo.real:
        assert uid == recorded_faults["authenticate ok"]["res"]


def test_authenticate_with_an_api_key(odoo: OdooTarget, fake: FakeOdoo) -> None:
    assert odoo.common.authenticate(odoo.db, odoo.login, API_KEY, {}) == 2
    assert odoo.proxy("object").execute_kw(odoo.db, 2, API_KEY, "res.users", "search", [[("id", "=", 2)]]) == [2]


@pytest.mark.parametrize("login_ok", [True, False])
def test_wrong_password_or_login_is_false_not_a_fault(odoo: OdooTarget, login_ok: bool) -> None:
    login = odoo.login if login_ok else f"{odoo.prefix}nobody"
    assert odoo.common.authenticate(odoo.db, login, "wrong-password", {}) is False


def test_legacy_login_with_a_wrong_password_is_false(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    assert odoo.common.login(odoo.db, odoo.login, "wrong-password") is recorded_faults["login (legacy) wrong pw"]["res"]


@pytest.mark.parametrize("label", ["authenticate wrong db", "execute_kw wrong db"])
def test_wrong_database_is_fault_1_with_psycopg2_text(
    odoo: OdooTarget, recorded_faults: dict[str, Any], label: str
) -> None:
    with pytest.raises(xmlrpc.client.Fault) as info:
        if label.startswith("authenticate"):
            odoo.common.authenticate("no_such_db", odoo.login, odoo.password, {})
        else:
            odoo.proxy("object").execute_kw("no_such_db", odoo.uid, odoo.password, "res.users", "search", [[]])
    entry = recorded_faults[label]["res"]
    assert info.value.faultCode == entry["faultCode"] == 1
    assert info.value.faultString.startswith("Traceback (most recent call last):")
    line = last_line(info.value.faultString)
    assert line.startswith("psycopg2.OperationalError: connection to server at")
    assert line.endswith('FATAL:  database "no_such_db" does not exist')
    if not odoo.real:
        assert line == recorded_last_line(recorded_faults[label])


def test_unknown_service_is_fault_1_keyerror(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    with pytest.raises(xmlrpc.client.Fault) as info:
        odoo.proxy("nosuch").version()
    assert info.value.faultCode == 1
    assert last_line(info.value.faultString) == recorded_last_line(recorded_faults["unknown service"])


def test_unknown_method_on_the_object_service(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    """17/18: IndexError reading the missing arguments; 19 unpacks them first (ValueError)."""
    with pytest.raises(xmlrpc.client.Fault) as info:
        odoo.proxy("object").nosuch()
    assert info.value.faultCode == 1
    assert last_line(info.value.faultString) == recorded_last_line(recorded_faults["unknown method on object svc"])


def test_unknown_method_on_the_common_service(odoo: OdooTarget) -> None:
    with pytest.raises(xmlrpc.client.Fault) as info:
        odoo.common.nosuch()
    assert info.value.faultCode == 1
    assert last_line(info.value.faultString) == "Exception: Method not found: nosuch"


def test_results_and_faults_are_http_200_text_xml(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    ok = post(odoo, "/xmlrpc/2/common", xmlrpc.client.dumps((), "version").encode())
    assert (ok.status, ok.getheader("Content-Type")) == (200, recorded_faults["version"]["ctype"])
    body = xmlrpc.client.dumps((odoo.db, odoo.uid, "wrong", "res.users", "search", [[]]), "execute_kw")
    fault = post(odoo, "/xmlrpc/2/object", body.encode())
    assert (fault.status, fault.getheader("Content-Type")) == (
        200,
        recorded_faults["execute_kw wrong pw"]["ctype"],
    )
    with pytest.raises(xmlrpc.client.Fault):
        xmlrpc.client.loads(fault.read())


def test_get_is_not_allowed(odoo: OdooTarget) -> None:
    parts = urlsplit(odoo.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    conn.request("GET", "/xmlrpc/2/common")
    assert conn.getresponse().status == 405


@pytest.mark.parametrize("version", [16, 18])
def test_other_versions_report_their_number(version: int) -> None:
    with FakeOdoo(version=version) as srv:
        info = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/common").version()
    assert info["server_version_info"] == [version, 0, 0, "final", 0, ""]
    assert info["server_serie"] == f"{version}.0" and info["server_version"].startswith(f"{version}.0")


def test_execute_takes_positional_arguments(odoo: OdooTarget) -> None:
    plan = int(odoo.call("ir.config_parameter", "get_param", "analytic.project_plan"))
    found = odoo.proxy("object").execute(
        odoo.db, odoo.uid, odoo.password, "account.analytic.plan", "search", [("id", "=", plan)]
    )
    assert found == [plan]


def test_db_service_server_version(odoo: OdooTarget) -> None:
    assert odoo.proxy("db").server_version() == odoo.common.version()["server_version"]
