"""No secret in sync_log, task logs, exceptions or XComs, whatever the password and whatever fails."""

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

from odoo_sync.hooks.odoo import OdooHook
from odoo_sync.sync_log import RunContext, SyncLog
from tests.fake_odoo import FakeOdoo
from tests.integration.conftest import odoo_conn
from tests.reliability import figures
from tests.reliability.checks import LINE

pytestmark = [pytest.mark.reliability, pytest.mark.integration]
# Printable, at least 8 characters (Airflow's masker ignores secrets under 5), with the characters that break
# naive scrubbing: quotes, '=', ':', '@', '/', '%', '&', backslashes, regex metacharacters, non-ASCII.
SECRETS = st.text(
    alphabet=st.sampled_from("abcXYZ0189 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~éß€"), min_size=8, max_size=32
).filter(lambda s: s.strip() == s and len(set(s)) > 3)
PATHS = ("auth_failure", "fault", "fault_echoing_secret", "http_error", "connection_refused")


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


def provoke(path: str, server: FakeOdoo, hook: OdooHook, secret: str) -> BaseException:
    if path == "auth_failure":
        server.password = "not-the-" + uuid.uuid4().hex
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
@given(secret=SECRETS, path=st.sampled_from(PATHS))
def test_no_error_path_leaks_the_password(
    secret: str, path: str, db: psycopg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    from airflow.sdk.log import redact

    tenant = "t" + uuid.uuid4().hex[:8]
    server = FakeOdoo(db="acme", login="admin", password=secret).start()
    try:
        odoo_conn(f"odoo_{tenant}", server, password=secret, tenant_id=tenant)
        hook = OdooHook(f"odoo_{tenant}", tenant_id=tenant, sync_log=SyncLog(db, tenant, RunContext("d", "r", 1)))
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            exc = provoke(path, server, hook, secret)
        logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
        haystacks = {"sync_log": sync_log_text(db, tenant), "exception": exception_text(exc), "log": logged}
        figures.add("secrets_tried")
        leaks = [(where, form) for where, text in haystacks.items() for form in forms(secret) if form in text]
        figures.add("secrets_found", len(leaks))
        assert leaks == [], f"{path}: {leaks}"
        assert secret not in redact(f"password is {secret}")  # registered with Airflow's masker
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
    source: psycopg.Connection,
    odoo_for: Callable[..., FakeOdoo],
    run_dag: Callable[..., str],
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The real DAG with a hostile password: Faults that echo it, then a rotated password (auth failure)."""
    secret = "Pa$$w0rd='x' & \"api_key\": s3cr3t-" + uuid.uuid4().hex[:6]
    odoo = odoo_for("acme", password=secret)
    odoo.fail_record = lambda model, vals: f"rejected for admin:{secret}" if vals.get("name") == "Spending #7" else None
    with caplog.at_level(logging.DEBUG):
        assert run_dag("acme") == "success"
        odoo.fail_record = None
        odoo.password = "rotated-" + uuid.uuid4().hex
        assert run_dag("acme") == "failed"
    out, err = capfd.readouterr()
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        xcoms = "\n".join(str(x.value) for x in session.query(XComModel).all())
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    haystacks = {"stdout": out, "stderr": err, "log": logged, "xcom": xcoms, "sync_log": sync_log_text(source, "acme")}
    assert "rejected for admin" in haystacks["sync_log"]
    figures.add("secrets_tried")
    leaks = [(w, f) for w, text in haystacks.items() for f in forms(secret) if f in text]
    figures.add("secrets_found", len(leaks))
    assert leaks == []


def test_the_exception_chain_holds_no_secret_echoed_by_the_server(db: psycopg.Connection) -> None:
    secret = "echoed-" + uuid.uuid4().hex
    server = FakeOdoo(db="acme", login="admin", password=secret).start()
    try:
        odoo_conn("odoo_chain", server, password=secret, tenant_id="acme")
        hook = OdooHook("odoo_chain", tenant_id="acme", sync_log=SyncLog(db, "acme"))
        exc = provoke("fault_echoing_secret", server, hook, secret)
        figures.add("secrets_tried")
        found = secret in exception_text(exc, suppressed=True)
        figures.add("secrets_found", int(found))
        assert not found
    finally:
        server.stop()


def test_a_refused_login_has_its_error_row(db: psycopg.Connection) -> None:
    server = FakeOdoo(db="acme", login="admin", password="right-password").start()
    try:
        odoo_conn("odoo_login", server, password="wrong-password", tenant_id="acme")
        with pytest.raises(Exception, match="refused the login"):
            OdooHook("odoo_login", tenant_id="acme", sync_log=SyncLog(db, "acme")).get_conn()
        rows = db.execute(
            "SELECT outcome, http_status, latency_ms, error FROM odoo_sync.sync_log WHERE method = 'authenticate'"
        ).fetchall()
        assert [r[0] for r in rows] == ["error"] and rows[0][1] == 200 and rows[0][2] is not None and rows[0][3]
    finally:
        server.stop()
