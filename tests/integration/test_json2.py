"""OdooHook over Odoo 19's JSON-2 API: real HTTP to the loopback test server, auditing into the real PostgreSQL."""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from odoo_sync.errors import (
    OdooAuthError,
    OdooPermanentError,
    OdooRecordError,
    OdooTransientError,
    OdooWriteRefused,
    classify,
)
from odoo_sync.odoo.client import OdooEndpoint
from odoo_sync.odoo.guard import WriteRefused
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.json2 import Json2Client
from odoo_sync.store.sync_log import Entity, SyncLog
from odoo_test_server import RECORDED_DIR, FakeOdoo
from tests.integration.conftest import PASSWORD, odoo_conn

pytestmark = pytest.mark.integration
API_KEY = "0f3c9a7e5b1d42a8c6e0f9b3d7a1c5e9b2d4f6a8"
ACCOUNT = "account.analytic.account"
PLAN = "account.analytic.plan"
FACTS: dict[str, Any] = json.loads((RECORDED_DIR / "json2_19.json").read_text())


@pytest.fixture
def odoo19() -> Iterator[FakeOdoo]:
    server = FakeOdoo(db="acme", login="admin", password=PASSWORD, api_keys=(API_KEY,), version=19).start()
    odoo_conn("odoo_json2", server, password=API_KEY, api="json2")
    yield server
    server.stop()


@pytest.fixture
def hook(odoo19: FakeOdoo, sync_log: SyncLog) -> OdooHook:
    return OdooHook("odoo_json2", tenant_id="acme", sync_log=sync_log)


def log_rows(db: psycopg.Connection) -> list[dict]:
    with db.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute("SELECT * FROM odoo_sync.sync_log ORDER BY id")
        return cur.fetchall()


def category(code: str) -> Entity:
    return Entity("category", code, "create", f"acme:category:{code}:create")


# -- the test server answers as the recorded Odoo 19 does ------------------------------------------------------
@pytest.mark.parametrize("case", sorted(FACTS))
def test_the_test_server_answers_each_recorded_case_alike(odoo19: FakeOdoo, case: str) -> None:
    fact = FACTS[case]
    request = fact["request"]
    headers = {k: v.replace("<key>", API_KEY).replace("odoo19", odoo19.db) for k, v in request["headers"].items()}
    body = request["body"]
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    if case == "ok_unlink":  # the recorded id 4 was the probe account made by ok_create
        plan_id = odoo19.add_plan("Donor budget line 19")
        content = json.dumps({"ids": odoo19.store.create(ACCOUNT, [{"name": "probe", "plan_id": plan_id}], 2)}).encode()
    answer = httpx.post(odoo19.url + request["path"], content=content, headers=headers)
    assert answer.status_code == fact["status"]
    assert answer.headers["Content-Type"] == fact["response_headers"]["Content-Type"]
    assert (
        answer.headers.get("WWW-Authenticate", "").strip()
        == fact["response_headers"].get("WWW-Authenticate", "").strip()
    )
    got, want = answer.json(), fact["body"]
    if fact["status"] != 200:
        assert sorted(got) == sorted(want) == ["arguments", "context", "debug", "message", "name"]
        assert got["name"] == want["name"] and got["debug"].startswith("Traceback (most recent call last):")
        if case == "bad_kwarg":  # the fake's ORM reads through _read, Odoo through _read_format
            assert re.search(r"got an unexpected keyword argument 'domian'", got["message"])
        elif case != "validation_error_create_account_without_plan_id":  # its text is 17's wording in the fake
            assert (got["message"], got["arguments"]) == (want["message"], want["arguments"])
    else:
        assert type(got) is type(want)


def test_json2_is_served_from_version_19_only(odoo: FakeOdoo) -> None:
    answer = httpx.post(f"{odoo.url}/json/2/{PLAN}/search_count", json={"domain": []})
    assert answer.status_code == 404 and "text/html" in answer.headers["Content-Type"]
    assert httpx.get(f"{odoo.url}/json/version").status_code == 404
    assert odoo.calls == []


def test_another_database_finds_no_route(odoo19: FakeOdoo) -> None:
    headers = {"Authorization": f"bearer {API_KEY}", "X-Odoo-Database": "globex"}
    answer = httpx.post(f"{odoo19.url}/json/2/{PLAN}/search_count", json={"domain": []}, headers=headers)
    assert answer.status_code == 404


# -- the hook over JSON-2 ----------------------------------------------------------------------------------------
def test_create_write_search_read_unlink(hook: OdooHook, odoo19: FakeOdoo) -> None:
    ids = hook.create_many(
        ACCOUNT,
        [{"name": "HR", "code": "HR", "plan_id": 3}, {"name": "TRV", "plan_id": 3}],
        [category("HR"), category("TRV")],
    )
    assert len(ids) == 2
    hook.write(ACCOUNT, [ids[0]], {"name": "Human resources", "code": None}, [category("HR")])
    rows = hook.search_read(ACCOUNT, [("id", "in", ids)], ["name", "code"], order="id")
    assert [(r["name"], r["code"]) for r in rows] == [("Human resources", False), ("TRV", False)]
    hook.unlink(ACCOUNT, [ids[1]], [category("TRV")])
    assert [r["id"] for r in odoo19.records(ACCOUNT)] == [ids[0]]
    assert hook.search_count(ACCOUNT, []) == 1
    assert {c.service for c in odoo19.calls} == {"json2"}  # nothing over the deprecated XML-RPC


def test_reads_the_project_plan_and_groups(hook: OdooHook, odoo19: FakeOdoo) -> None:
    assert hook.execute("ir.config_parameter", "get_param", ["analytic.project_plan"]) == "1"
    assert "plan_id" in hook.fields_get(ACCOUNT)
    assert hook.read_group("account.analytic.line", [], ["amount:sum"], ["account_id"]) == []
    assert hook.execute(PLAN, "check_access_rights", ["read"], {"raise_exception": False}) is True


def test_every_call_has_status_bytes_and_latency_in_the_sync_log(hook: OdooHook, db: psycopg.Connection) -> None:
    hook.create_many(ACCOUNT, [{"name": "HR", "code": "HR", "plan_id": 3}], [category("HR")])
    rows = log_rows(db)
    assert [r["method"] for r in rows] == ["version", "authenticate", "create"]
    for row in rows:
        assert (row["http_status"], row["outcome"]) == (200, "ok")
        assert row["response_bytes"] > 0 and row["latency_ms"] > 0
    assert rows[-1]["odoo_id"] is not None and rows[-1]["idempotency_key"] == "acme:category:HR:create"


def test_a_wrong_key_is_an_auth_error(odoo19: FakeOdoo, sync_log: SyncLog, db: psycopg.Connection) -> None:
    odoo_conn("odoo_wrong_key", odoo19, password="not-the-key-xyz", api="json2")
    with pytest.raises(OdooAuthError, match="wrong login or API key"):
        OdooHook("odoo_wrong_key", tenant_id="acme", sync_log=sync_log).get_conn()
    last = log_rows(db)[-1]
    assert (last["method"], last["http_status"], last["outcome"]) == ("authenticate", 401, "error")
    assert "not-the-key-xyz" not in str(log_rows(db))


def test_a_key_revoked_mid_run_is_an_auth_error(hook: OdooHook, odoo19: FakeOdoo) -> None:
    hook.get_conn()
    odoo19.reject_auth = True
    with pytest.raises(OdooAuthError, match=r"HTTP 401 werkzeug\.exceptions\.Unauthorized: Invalid apikey"):
        hook.search_count(ACCOUNT, [])


def test_a_validation_error_is_a_record_error(hook: OdooHook, db: psycopg.Connection) -> None:
    with pytest.raises(OdooRecordError) as err:
        hook.create_many(ACCOUNT, [{"name": "no plan"}], [category("X")])
    assert err.value.error_class == "validation"
    assert "HTTP 422 odoo.exceptions.ValidationError" in str(err.value) and "acme:category:X:create" in str(err.value)
    assert log_rows(db)[-1]["http_status"] == 422


def test_a_missing_record_is_a_record_error(hook: OdooHook) -> None:
    with pytest.raises(OdooRecordError, match=r"HTTP 404 odoo\.exceptions\.MissingError"):
        hook.write(ACCOUNT, [999999], {"name": "x"}, [category("X")])


def test_no_access_is_an_access_error(hook: OdooHook, odoo19: FakeOdoo) -> None:
    odoo19.deny_access = {PLAN}
    with pytest.raises(OdooPermanentError) as err:
        hook.search_read(PLAN, [], ["name"])
    assert err.value.error_class == "access" and "HTTP 403" in str(err.value)


def test_the_debug_traceback_never_reaches_the_sync_log(hook: OdooHook, db: psycopg.Connection) -> None:
    with pytest.raises(OdooPermanentError) as err:
        hook.execute(PLAN, "search_read", [[]], {"domian": []})  # a server-side TypeError: HTTP 500
    with pytest.raises(OdooRecordError):
        hook.create_many(ACCOUNT, [{"name": "no plan"}], [category("X")])
    assert "unexpected keyword argument 'domian'" in str(err.value) and err.value.error_class == "server"
    dump = str(log_rows(db)) + str(err.value)
    assert "Traceback" not in dump and 'File "' not in dump


def test_429_is_retried_after_retry_after(hook: OdooHook, odoo19: FakeOdoo, db: psycopg.Connection) -> None:
    hook.get_conn()
    odoo19.retry_after = 0.2
    odoo19.http_error, odoo19.http_error_count = 429, 1
    assert hook.search_count(PLAN, []) >= 3
    assert [(r["http_status"], r["outcome"]) for r in log_rows(db)[-2:]] == [(429, "error"), (200, "ok")]


def test_503_is_transient(hook: OdooHook, odoo19: FakeOdoo, db: psycopg.Connection) -> None:
    hook.get_conn()
    odoo19.http_error = 503
    with pytest.raises(OdooTransientError, match=r"account\.analytic\.account\.search_read failed: HTTP 503"):
        hook.search_read(ACCOUNT, [], ["id"])
    assert log_rows(db)[-1]["http_status"] == 503


def test_a_dropped_answer_after_the_commit_is_in_doubt_and_not_resent(
    hook: OdooHook, odoo19: FakeOdoo, db: psycopg.Connection
) -> None:
    hook.get_conn()  # a keep-alive connection is open: the create goes over it
    odoo19.lose_create_answers = 1
    seen = odoo19.requests_seen
    with pytest.raises(OdooTransientError) as err:
        hook.create_many(ACCOUNT, [{"name": "HR", "code": "HR", "plan_id": 3}], [category("HR")])
    assert err.value.in_doubt and err.value.error_class == "connection"
    assert odoo19.requests_seen - seen == 1 and odoo19.count(ACCOUNT, "create") == 1
    assert len(odoo19.records(ACCOUNT)) == 1  # committed once; the ledger's read-back finds it
    assert log_rows(db)[-1]["http_status"] is None
    assert hook.search_count(ACCOUNT, [("code", "=", "HR")]) == 1  # a fresh connection afterwards


def test_a_timeout_on_a_create_is_in_doubt(hook: OdooHook, odoo19: FakeOdoo) -> None:
    hook.get_conn()
    odoo19.delay = 3.0  # the connection's timeout is 2 s
    with pytest.raises(OdooTransientError) as err:
        hook.create_many(ACCOUNT, [{"name": "HR", "plan_id": 3}], [category("HR")])
    assert err.value.in_doubt and err.value.error_class == "timeout"


def test_the_write_guard_refuses_before_anything_is_sent(hook: OdooHook, odoo19: FakeOdoo) -> None:
    with pytest.raises(OdooWriteRefused, match="finance"):
        hook.execute("res.partner", "write", [[1], {"name": "x"}])
    assert odoo19.calls == [] and odoo19.requests_seen == 0
    client = Json2Client(OdooEndpoint(odoo19.url, odoo19.db, "admin", API_KEY))
    with pytest.raises(WriteRefused):
        client.execute_kw(2, "res.partner", "create", [{"name": "x"}], {})
    assert odoo19.requests_seen == 0


def test_test_connection_names_the_api(hook: OdooHook, odoo19: FakeOdoo) -> None:
    ok, message = hook.test_connection()
    assert ok and message.startswith("Odoo 19.0 over JSON-2: logged in as uid 2")
    odoo19.down = True
    ok, message = OdooHook("odoo_json2", tenant_id="acme").test_connection()
    assert not ok and "ConnectionError" in message and API_KEY not in message


def test_json2_on_an_odoo_17_says_so(odoo: FakeOdoo, sync_log: SyncLog) -> None:
    odoo_conn("odoo_17_json2", odoo, api="json2")
    with pytest.raises(OdooPermanentError, match="no JSON-2 API"):
        OdooHook("odoo_17_json2", tenant_id="acme", sync_log=sync_log).get_conn()


def test_an_unknown_api_is_refused(odoo19: FakeOdoo, sync_log: SyncLog) -> None:
    odoo_conn("odoo_soap", odoo19, api="soap")
    with pytest.raises(OdooPermanentError, match="has api 'soap'; use auto, xmlrpc, json2"):
        OdooHook("odoo_soap", tenant_id="acme", sync_log=sync_log).get_conn()


# -- api: auto ---------------------------------------------------------------------------------------------------
def test_auto_picks_json2_on_19_with_an_api_key(odoo19: FakeOdoo, sync_log: SyncLog) -> None:
    odoo_conn("odoo_auto", odoo19, password=API_KEY)  # no api extra: auto
    hook = OdooHook("odoo_auto", tenant_id="acme", sync_log=sync_log)
    ok, message = hook.test_connection()
    assert ok and "Odoo 19.0 over JSON-2" in message
    assert {c.service for c in odoo19.calls} == {"json2"}


def test_auto_falls_back_to_xmlrpc_on_19_with_a_password(odoo19: FakeOdoo, sync_log: SyncLog) -> None:
    odoo_conn("odoo_auto_pw", odoo19, password=PASSWORD, api="auto")
    hook = OdooHook("odoo_auto_pw", tenant_id="acme", sync_log=sync_log)
    ok, message = hook.test_connection()
    assert ok and "Odoo 19.0 over XML-RPC" in message
    assert [(c.service, c.method, c.http_status) for c in odoo19.calls[:2]] == [
        ("json2", "version", 200),
        ("json2", "context_get", 401),  # "Invalid apikey": ran nothing, so XML-RPC may log in
    ]
    assert [c.service for c in odoo19.calls[2:]] == ["common", "object"]


def test_auto_picks_xmlrpc_on_17(odoo: FakeOdoo, sync_log: SyncLog) -> None:
    odoo_conn("odoo_auto_17", odoo, api="auto")
    ok, message = OdooHook("odoo_auto_17", tenant_id="acme", sync_log=sync_log).test_connection()
    assert ok and "Odoo 17.0 over XML-RPC" in message
    assert [c.service for c in odoo.calls] == ["common", "common", "object"]


def test_auto_with_a_uid_from_an_earlier_task_still_picks_json2(odoo19: FakeOdoo, sync_log: SyncLog) -> None:
    odoo_conn("odoo_auto_uid", odoo19, password=API_KEY)
    hook = OdooHook("odoo_auto_uid", tenant_id="acme", sync_log=sync_log, checked_uid=2)
    assert hook.search_count(PLAN, []) >= 3
    assert hook.get_conn().api_name == "JSON-2"
    assert [c.method for c in odoo19.calls] == ["version", "context_get", "search_count"]


# -- TLS ------------------------------------------------------------------------------------------------------
@pytest.fixture
def https_odoo(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTPS server with a self-signed certificate that answers GET /json/version like Odoo 19."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "server.pem"
    pem.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )

    class Version(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Version)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # refused handshakes
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_tls_certificates_are_verified_unless_the_connection_says_not(https_odoo: str) -> None:
    verified = Json2Client(OdooEndpoint(https_odoo, "acme", "admin", API_KEY, timeout=5))
    with pytest.raises(ssl.SSLCertVerificationError) as err:
        verified.version()
    assert (classify(err.value).kind, classify(err.value).error_class) == ("permanent", "tls")
    assert verified.last_stats.http_status is None
    unverified = Json2Client(OdooEndpoint(https_odoo, "acme", "admin", API_KEY, timeout=5, verify_tls=False))
    assert unverified.version()["server_version"] == "19.0"
