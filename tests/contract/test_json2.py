"""Odoo 19's JSON-2 API: every request recorded in ``json2_19.json`` replayed, same HTTP status and error body
(``name``, ``message``, ``arguments``, ``context``, ``debug``). Against a real 19 set ODOO_TEST_API_KEY."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import pytest

from odoo_test_server import RECORDED_DIR
from tests.contract.conftest import ACCOUNT, OdooTarget

pytestmark = pytest.mark.contract
CASES: dict[str, dict[str, Any]] = json.loads((RECORDED_DIR / "json2_19.json").read_text())
ERROR_KEYS = {"name", "message", "arguments", "context", "debug"}
# answers that depend on the recording database's content (ids, plan count): status and shape only
STATEFUL = {"ok_create", "ok_search_read", "ok_search_read_no_db_header", "ok_read_with_ids", "ok_unlink"}


def post(odoo: OdooTarget, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    request = urllib.request.Request(f"{odoo.url}{path}", data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, dict(error.headers), json.loads(raw) if raw.startswith(b"{") else raw.decode()


def replay(odoo: OdooTarget, case: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """The recorded request with this server's key and database."""
    request = case["request"]
    headers = dict(request.get("headers", {}))
    if headers.get("Authorization") == "bearer <key>":
        headers["Authorization"] = f"bearer {odoo.api_key}"
    if "X-Odoo-Database" in headers:
        headers["X-Odoo-Database"] = odoo.db
    return post(odoo, request["path"], request.get("body", {}), headers)


@pytest.fixture
def json2(odoo: OdooTarget) -> OdooTarget:
    if odoo.version < 19:
        pytest.skip("JSON-2 is Odoo 19's")
    if not odoo.api_key:
        pytest.skip("set ODOO_TEST_API_KEY for JSON-2 against a real Odoo 19")
    return odoo


@pytest.mark.parametrize("label", sorted(set(CASES) - STATEFUL))
def test_recorded_answer(json2: OdooTarget, label: str) -> None:
    case = CASES[label]
    status, _, body = replay(json2, case)
    assert status == case["status"], body
    expected = case["body"]
    if isinstance(expected, dict) and set(expected) == ERROR_KEYS:
        assert set(body) == ERROR_KEYS
        assert (body["name"], body["message"], body["arguments"]) == (
            expected["name"],
            expected["message"],
            expected["arguments"],
        )
        assert body["debug"].startswith("Traceback (most recent call last):")
    else:
        assert body == expected


def test_create_read_unlink(json2: OdooTarget) -> None:
    plan_id, _ = json2.plan_column()
    headers = {"Authorization": f"bearer {json2.api_key}", "X-Odoo-Database": json2.db}
    headers["Content-Type"] = "application/json"
    vals = {"name": f"{json2.prefix}j2", "plan_id": plan_id}
    status, _, ids = post(json2, f"/json/2/{ACCOUNT}/create", {"vals_list": [vals]}, headers)
    assert status == 200 and isinstance(ids, list) and len(ids) == 1
    json2.created.setdefault(ACCOUNT, []).extend(ids)
    status, _, rows = post(json2, f"/json/2/{ACCOUNT}/read", {"ids": ids, "fields": ["name"]}, headers)
    assert (status, rows) == (200, [{"id": ids[0], "name": vals["name"]}])
    status, _, done = post(json2, f"/json/2/{ACCOUNT}/unlink", {"ids": ids}, headers)
    assert (status, done) == (200, True)
    status, _, body = post(json2, f"/json/2/{ACCOUNT}/write", {"ids": ids, "vals": {"name": "x"}}, headers)
    assert (status, body["name"]) == (404, "odoo.exceptions.MissingError")


def test_wrong_key_is_401_with_a_bearer_challenge(json2: OdooTarget) -> None:
    headers = {"Authorization": "bearer not-a-key", "X-Odoo-Database": json2.db, "Content-Type": "application/json"}
    status, answer_headers, body = post(json2, f"/json/2/{ACCOUNT}/search", {"domain": []}, headers)
    assert (status, body["name"]) == (401, "werkzeug.exceptions.Unauthorized")
    assert answer_headers.get("WWW-Authenticate", "").lower().startswith("bearer")


def test_before_19_there_is_no_json2(odoo: OdooTarget) -> None:
    """17: 404; 18: a 303 to the login page (its website routes catch the path)."""
    if odoo.version >= 19:
        pytest.skip("Odoo 19 serves JSON-2")
    parts = urlsplit(odoo.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    conn.request("POST", f"/json/2/{ACCOUNT}/search", b'{"domain": []}', {"Content-Type": "application/json"})
    answer = conn.getresponse()
    assert answer.status in (303, 404) and not answer.getheader("Content-Type", "").startswith("application/json")
