"""No secret in sync_log, task logs, exceptions or XComs, whatever the password or API key and whatever fails.

Each check runs over XML-RPC (the password travels in every call's body) and over JSON-2 (``transport``: the API
key travels in the ``Authorization`` header, and Odoo's error bodies carry a ``debug`` traceback of the server).
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo_sync.errors import OdooAuthError
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.store.sync_log import RunContext, SyncLog
from odoo_test_server import FakeOdoo
from tests.integration.conftest import odoo_conn
from tests.reliability import figures
from tests.reliability.checks import LINE
from tests.reliability.conftest import connect, rotate, serve

pytestmark = [pytest.mark.reliability, pytest.mark.integration]
# Printable, at least 8 characters (Airflow's masker ignores secrets under 5), with the characters that break
# naive scrubbing: quotes, '=', ':', '@', '/', '%', '&', backslashes, regex metacharacters, non-ASCII.
HOSTILE = "abcXYZ0189 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
SECRETS = st.text(alphabet=st.sampled_from(HOSTILE + "éß€"), min_size=8, max_size=32).filter(
    lambda s: s.strip() == s and len(set(s)) > 3
)
# An API key travels in an HTTP header: printable ASCII (a real Odoo key is 40 hex digits), hostile all the same.
KEYS = st.text(alphabet=st.sampled_from(HOSTILE), min_size=8, max_size=32).filter(
    lambda s: s.strip() == s and len(set(s)) > 3
)
PATHS = ("auth_failure", "fault", "fault_echoing_secret", "http_error", "connection_refused", "revoked_mid_run")
PATHS_JSON2 = (*PATHS, "rate_limited")  # 429 answers: XML-RPC's are covered by the fault suite


def sync_log_text(db: psycopg.Connection, tenant: str) -> str:
    rows = db.execute(
        "SELECT concat_ws('|', entity_type, entity_id, operation, idempotency_key, odoo_model, method, error,"
        " dag_id, run_id) FROM odoo_sync.sync_log WHERE tenant_id = %s",
        (tenant,),
    ).fetchall()
    db.commit()
    return "\n".join(r[0] for r in rows)


def exception_text(exc: BaseException, *, suppressed: bool = False) -> str:
    """The exception, its chain (``suppressed``: also a ``from None`` __context__) and its formatted traceback."""
    parts, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [str(current), repr(current), *map(str, getattr(current, "args", ()))]
        hidden = current.__suppress_context__ and not suppressed
        current = current.__cause__ or (None if hidden else current.__context__)
    parts += traceback.format_exception(exc)
    return "\n".join(parts)


def forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret)}


def provoke(path: str, server: FakeOdoo, hook: OdooHook, secret: str, transport: str = "xmlrpc") -> BaseException:
    if path == "auth_failure":
        rotate(server, transport, "not-the-" + uuid.uuid4().hex)
    elif path == "revoked_mid_run":
        hook.get_conn()
        server.reject_auth = True
    elif path == "rate_limited":  # every attempt answered 429 (Retry-After: 0): the hook gives up after its tries
        hook.get_conn()
        server.retry_after, server.http_error, server.http_error_count = 0, 429, 3
    elif path == "http_error":
        hook.get_conn()
        server.http_error, server.http_error_count = 503, 1
    elif path == "connection_refused":
        hook.get_conn()
        server.down = True
    elif path == "fault_echoing_secret":  # a server (or proxy) that echoes the credentials in its error
        server.fail_record = lambda model, vals: f"bad value; login admin/{secret} password={secret}"
    else:
        server.fail_record = lambda model, vals: "Invalid amount"
    try:
        hook.create_many(LINE, [{"name": "x", "date": "2026-03-01", "amount": -1.0}], [])
    except Exception as exc:
        return exc
    raise AssertionError(f"{path}: nothing failed")


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_error_path_leaks_the_password(
    data: st.DataObject, transport: str, db: psycopg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    from airflow.sdk.log import redact

    json2 = transport == "json2"
    secret = data.draw(KEYS if json2 else SECRETS, label="secret")
    path = data.draw(st.sampled_from(PATHS_JSON2 if json2 else PATHS), label="path")
    tenant = "t" + uuid.uuid4().hex[:8]
    server = serve("acme", secret, transport)
    try:
        connect(f"odoo_{tenant}", server, secret, transport, tenant_id=tenant)
        hook = OdooHook(f"odoo_{tenant}", tenant_id=tenant, sync_log=SyncLog(db, tenant, RunContext("d", "r", 1)))
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            exc = provoke(path, server, hook, secret, transport)
        logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
        haystacks = {"sync_log": sync_log_text(db, tenant), "exception": exception_text(exc), "log": logged}
        figures.add("secrets_tried")
        leaks = [(where, form) for where, text in haystacks.items() for form in forms(secret) if form in text]
        figures.add("secrets_found", len(leaks))
        assert leaks == [], f"{path}: {leaks}"
        assert secret not in redact(f"password is {secret}")  # registered with Airflow's masker
        if json2:
            assert "fake_odoo" not in str(haystacks)  # the server's debug traceback (its frames) was dropped
            assert {c.service for c in server.calls} <= {"json2"}
    finally:
        server.stop()


def test_a_connection_uri_is_masked_in_logs(db: psycopg.Connection) -> None:
    from airflow.sdk import BaseHook
    from airflow.sdk.log import redact

    secret = "p@ss/w0rd:with%&=specials"
    server = FakeOdoo(db="acme", login="admin", password=secret).start()
    try:
        odoo_conn("odoo_uri", server, password=secret, tenant_id="acme")
        OdooHook("odoo_uri", tenant_id="acme").get_conn()
        uri = BaseHook.get_connection("odoo_uri").get_uri()
        figures.add("secrets_tried")
        leaked = [f for f in forms(secret) if f in redact(uri)]
        figures.add("secrets_found", len(leaked))
        assert leaked == []
    finally:
        server.stop()


def test_a_failing_dag_run_leaks_nothing_to_logs_xcom_or_sync_log(
    transport: str,
    source: psycopg.Connection,
    odoo_for: Callable[..., FakeOdoo],
    run_dag: Callable[..., str],
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The real DAG with a hostile password or API key: errors that echo it (over JSON-2 in the message and in
    the ``debug`` traceback of Odoo's error body), then a rotated password or revoked key (auth failure)."""
    secret = "Pa$$w0rd='x' & \"api_key\": s3cr3t-" + uuid.uuid4().hex[:6]
    odoo = odoo_for("acme", password=secret, transport=transport)
    odoo.fail_record = lambda model, vals: f"rejected for admin:{secret}" if vals.get("name") == "Spending #7" else None
    with caplog.at_level(logging.DEBUG):
        assert run_dag("acme") == "success"
        odoo.fail_record = None
        rotate(odoo, transport, "rotated-" + uuid.uuid4().hex)
        assert run_dag("acme") == "failed"
    out, err = capfd.readouterr()
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        xcoms = "\n".join(str(x.value) for x in session.query(XComModel).all())
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    haystacks = {"stdout": out, "stderr": err, "log": logged, "xcom": xcoms, "sync_log": sync_log_text(source, "acme")}
    assert "rejected for admin" in haystacks["sync_log"]
    assert "Traceback (most recent call last)" not in haystacks["sync_log"] + haystacks["xcom"]
    figures.add("secrets_tried")
    leaks = [(w, f) for w, text in haystacks.items() for f in forms(secret) if f in text]
    figures.add("secrets_found", len(leaks))
    assert leaks == []


def test_the_exception_chain_holds_no_secret_echoed_by_the_server(transport: str, db: psycopg.Connection) -> None:
    secret = "echoed-" + uuid.uuid4().hex
    server = serve("acme", secret, transport)
    try:
        connect("odoo_chain", server, secret, transport, tenant_id="acme")
        hook = OdooHook("odoo_chain", tenant_id="acme", sync_log=SyncLog(db, "acme"))
        exc = provoke("fault_echoing_secret", server, hook, secret, transport)
        figures.add("secrets_tried")
        found = secret in exception_text(exc, suppressed=True)
        figures.add("secrets_found", int(found))
        assert not found
    finally:
        server.stop()


def test_a_refused_login_has_its_error_row(transport: str, db: psycopg.Connection) -> None:
    server = serve("acme", "right-password-or-key", transport)
    try:
        connect("odoo_login", server, "wrong-password-or-key", transport, tenant_id="acme")
        with pytest.raises(Exception, match="refused the login"):
            OdooHook("odoo_login", tenant_id="acme", sync_log=SyncLog(db, "acme")).get_conn()
        rows = db.execute(
            "SELECT outcome, http_status, latency_ms, error FROM odoo_sync.sync_log WHERE method = 'authenticate'"
        ).fetchall()
        status = 401 if transport == "json2" else 200  # JSON-2: "Invalid apikey"; XML-RPC: authenticate is False
        assert [r[0] for r in rows] == ["error"] and rows[0][1] == status and rows[0][2] is not None and rows[0][3]
    finally:
        server.stop()


@pytest.mark.parametrize("transport", ["json2"])
@pytest.mark.parametrize("secret", ["Café-2026-pw!", "7d1e4b9a0c3f5e8a2b6d9c1f4e7a0b3d5c8e1f2a ", "line\nbreak-key"])
def test_a_secret_no_http_header_can_carry_is_refused_unsent_over_json2_and_auto_falls_back(
    secret: str, transport: str, db: psycopg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    """A password with an accent, a key pasted with a trailing space or a line break is no API key.

    ``api: json2`` refuses it as Odoo refuses a wrong key, without sending it (httpx would raise UnicodeEncodeError,
    or h11 "Illegal header value b'bearer <the secret>'"); ``api: auto`` on Odoo 19 then logs in over XML-RPC
    with it as a password, as with any password.
    """
    server = FakeOdoo(db="acme", login="admin", password=secret, api_keys=("0" * 40,), version=19).start()
    try:
        connect("odoo_unsendable", server, secret, transport, tenant_id="acme")
        with caplog.at_level(logging.DEBUG), pytest.raises(OdooAuthError, match="refused the login") as err:
            OdooHook("odoo_unsendable", tenant_id="acme", sync_log=SyncLog(db, "acme")).get_conn()
        assert [c.method for c in server.calls] == ["version"]  # the key never left
        logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
        haystack = exception_text(err.value, suppressed=True) + sync_log_text(db, "acme") + logged
        figures.add("secrets_tried")
        leaks = [f for f in {*forms(secret), secret.strip(), repr(secret)[1:-1]} if f in haystack]
        figures.add("secrets_found", len(leaks))
        assert leaks == []
        odoo_conn("odoo_unsendable_auto", server, password=secret, tenant_id="acme", api="auto")
        hook = OdooHook("odoo_unsendable_auto", tenant_id="acme", sync_log=SyncLog(db, "acme"))
        assert hook.search_count(LINE, []) == 0 and hook.get_conn().api_name == "XML-RPC"
    finally:
        server.stop()
