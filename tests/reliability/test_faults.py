"""Faults during a real sync of 2,000 lines (dag.test against the test Odoo), then recovery and a re-run.

Each scenario runs over both of Odoo's external APIs (``transport``): XML-RPC (Odoo 17, a password) and JSON-2
(Odoo 19, an API key), with that API's form of the fault: a gateway's 5xx, a 429 with Retry-After, a timeout,
a dead server, a changed password or revoked API key, a record Odoo rejects (XML-RPC fault 2, JSON-2 HTTP 422),
the answer lost after Odoo committed.

After each scenario: exactly one Odoo record per idempotency key, no line missing, the ledger agrees with Odoo,
every failed call has its sync_log row (outcome, HTTP status where an answer came, latency, error), every
answered call its HTTP status, bytes and latency, and no call reached a model or method outside the write guard.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.reliability import figures
from tests.reliability.checks import LINE, audit, failed_calls, forbidden_calls, records_of, unmeasured_calls
from tests.reliability.conftest import API_KEY, N_LINES, PASSWORD, connect, rotate
from tests.reliability.proxy import LossyProxy

pytestmark = [pytest.mark.reliability, pytest.mark.integration]
LINE_IDS = [f"SL-{i:05d}" for i in range(1, N_LINES + 1)]
ARM_AT = 700  # the fault is armed while Odoo creates the 700th line: in the second batch of 500


class Arm:
    """A ``fail_record`` callback that counts line records and runs ``actions[n]`` at the n-th one."""

    def __init__(
        self, actions: dict[int, Callable[[], Any]], reject: Callable[[dict[str, Any]], str | None] | None = None
    ):
        self.actions, self.reject, self.n = actions, reject, 0

    def __call__(self, model: str, vals: dict[str, Any]) -> str | None:
        if model != LINE:
            return None
        self.n += 1
        if self.n in self.actions:
            self.actions.pop(self.n)()
        return self.reject(vals) if self.reject else None


def finish(odoo: FakeOdoo, db: psycopg.Connection, tenant: str = "acme") -> None:
    """The promise: nothing duplicated, nothing lost, nothing touched outside the guard, totals equal."""
    audit(records_of(odoo), db, tenant, LINE_IDS).assert_clean()
    assert forbidden_calls(odoo.calls) == []
    source_total = db.execute(
        "SELECT sum(amount::numeric) FROM togrant.spending_lines WHERE tenant_id = %s", (tenant,)
    ).fetchone()[0]
    db.commit()
    odoo_total = -sum(Decimal(str(r["amount"])) for r in odoo.records(LINE))
    assert odoo_total == source_total
    assert unmeasured_calls(db, tenant) == 0


def assert_audited(db: psycopg.Connection, expected: int, http_status: int | None, error: str) -> list[Any]:
    """Each failed call has one sync_log call (rows share call_id) with its status, latency and error."""
    calls = failed_calls(db, "acme")
    assert len(calls) == expected, calls
    for _call_id, _method, status, latency, text, _rows in calls:
        assert status == http_status and latency is not None and latency >= 0
        assert text and error.lower() in text.lower()
    figures.add("failed_calls_audited", len(calls))
    return calls


# What each API answers when Odoo refuses the credentials mid-run, and when it rejects a record's values.
AUTH_FAILURE = {"xmlrpc": (200, "Access Denied"), "json2": (401, "Invalid apikey")}
RECORD_REJECTED = {"xmlrpc": 200, "json2": 422}


# A gateway's 5xx has no Odoo body over either API; JSON-2 classifies it by status alone, so one status suffices.
GATEWAY = [("xmlrpc", 502), ("xmlrpc", 503), ("xmlrpc", 504), ("json2", 503)]


@pytest.mark.parametrize(("transport", "status"), GATEWAY, ids=[f"{t}-{s}" for t, s in GATEWAY])
def test_gateway_errors_mid_batch_are_retried_by_airflow(
    transport: str,
    status: int,
    source: psycopg.Connection,
    odoo_for: Callable[..., FakeOdoo],
    run_dag: Callable[..., str],
) -> None:
    odoo = odoo_for("acme", transport=transport)

    def arm() -> None:
        odoo.http_error, odoo.http_error_count = status, 2

    odoo.fail_record = Arm({ARM_AT: arm})
    assert run_dag("acme", retries=2) == "success"  # try 1 and 2 fail on the 5xx, try 3 recovers
    assert odoo.http_error is None  # both 5xx answers were sent
    figures.add("faults_injected", 2, kind="5xx")
    assert_audited(source, 2, status, f"HTTP {status}")
    tries = source.execute(
        "SELECT max(try_number) FROM odoo_sync.sync_log WHERE method = 'create' AND odoo_model = %s", (LINE,)
    ).fetchone()[0]
    assert tries == 3
    finish(odoo, source)


def test_rate_limited_mid_batch_waits_retry_after_and_goes_on(
    transport: str, source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    """Two 429s with Retry-After on a create: the hook waits and sends again (429: nothing ran), no task retry."""
    odoo = odoo_for("acme", transport=transport)

    def arm() -> None:
        odoo.retry_after = 0.2
        odoo.http_error, odoo.http_error_count = 429, 2

    odoo.fail_record = Arm({ARM_AT: arm})
    started = time.monotonic()
    assert run_dag("acme") == "success"  # no Airflow retry: the hook's own attempts absorb the 429s
    assert odoo.http_error is None and time.monotonic() - started >= 0.4
    figures.add("faults_injected", 2, kind="429")
    calls = assert_audited(source, 2, 429, "HTTP 429")
    assert {c[1] for c in calls} == {"create"}
    assert source.execute("SELECT max(try_number) FROM odoo_sync.sync_log").fetchone()[0] == 1
    finish(odoo, source)


def test_server_dies_mid_batch_then_the_dag_is_rerun(
    transport: str, source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    odoo = odoo_for("acme", transport=transport)
    odoo.fail_record = Arm({501: lambda: setattr(odoo, "die_after_creates", 1)})
    # the first line record of the second batch arms it: that batch is answered, then the server is dead
    assert run_dag("acme") == "failed"
    assert odoo.down and len(odoo.records(LINE)) == 1000
    figures.add("faults_injected", kind="server down")
    assert_audited(source, 1, None, "refused")
    odoo.down = False
    assert run_dag("acme") == "success"
    finish(odoo, source)


def test_server_hangs_past_the_timeout_and_commits_late(
    transport: str, source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    """The client gives up after 2 s; the server still commits the batch after 3 s: the re-run reads it back."""
    odoo = odoo_for("acme", transport=transport)
    hang = {ARM_AT: lambda: setattr(odoo, "delay", 3.0), 1001: lambda: setattr(odoo, "delay", 0.0)}
    odoo.fail_record = Arm(hang)
    assert run_dag("acme") == "failed"
    figures.add("faults_injected", kind="timeout")
    assert_audited(source, 1, None, "TimeoutError")
    deadline = time.monotonic() + 10
    while len(odoo.records(LINE)) < 1500 and time.monotonic() < deadline:
        time.sleep(0.05)  # the hung call lands after the client gave up
    assert len(odoo.records(LINE)) == 1500
    assert run_dag("acme") == "success"
    created = [c.n_records for c in odoo.calls if c.model == LINE and c.model_method == "create"]
    assert sum(created) == N_LINES  # the late batch was read back by its markers, not created again
    finish(odoo, source)


def test_credentials_changed_mid_run_fail_fast_then_the_new_ones_work(
    transport: str, source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    """The password is changed (XML-RPC) or the API key revoked for a new one (JSON-2) during the run."""
    odoo = odoo_for("acme", transport=transport)
    old_secret = API_KEY if transport == "json2" else PASSWORD
    new_secret = "Rotated-pw-after-audit-42" if transport == "xmlrpc" else "5e0c2a7f9b1d3e6a8c4f0b2d7e9a1c3f5b8d0e2a"
    odoo.fail_record = Arm({ARM_AT: lambda: rotate(odoo, transport, new_secret)})
    assert run_dag("acme", retries=2) == "failed"  # authentication is not retried
    figures.add("faults_injected", kind="wrong key or password")
    status, error = AUTH_FAILURE[transport]
    calls = assert_audited(source, 1, status, error)
    assert calls[0][1] == "create"
    assert source.execute("SELECT max(try_number) FROM odoo_sync.sync_log").fetchone()[0] == 1
    connect("odoo_acme", odoo, new_secret, transport, tenant_id="acme")
    assert run_dag("acme") == "success"
    for secret in (old_secret, new_secret):
        leaks = source.execute(
            "SELECT count(*) FROM odoo_sync.sync_log WHERE strpos(concat_ws('|', error, idempotency_key,"
            " entity_id, run_id), %s) > 0",
            (secret,),
        ).fetchone()[0]
        figures.add("secrets_found", leaks)
        assert leaks == 0
    figures.add("secrets_tried", 2)
    finish(odoo, source)


def test_a_wrong_key_from_the_start_sends_nothing_and_is_not_retried(
    transport: str, source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    """The connection holds a wrong password or API key: the run fails at its login, writes nothing, leaks nothing."""
    wrong = "wrong-" + ("0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b" if transport == "json2" else "Passw0rd!")
    odoo = odoo_for("acme", transport=transport)
    connect("odoo_acme", odoo, wrong, transport, tenant_id="acme")
    assert run_dag("acme", retries=2) == "failed"
    figures.add("faults_injected", kind="wrong key or password")
    assert odoo.records(LINE) == [] and forbidden_calls(odoo.calls) == []
    assert not [c for c in odoo.calls if c.model_method in ("create", "write", "unlink")]
    calls = assert_audited(source, 1, 401 if transport == "json2" else 200, "wrong login or API key")
    assert calls[0][1] == "authenticate"
    assert source.execute("SELECT max(try_number) FROM odoo_sync.sync_log").fetchone()[0] == 1
    leaks = source.execute(
        "SELECT count(*) FROM odoo_sync.sync_log WHERE strpos(concat_ws('|', error, idempotency_key, entity_id,"
        " run_id, method), %s) > 0",
        (wrong,),
    ).fetchone()[0]
    figures.add("secrets_tried")
    figures.add("secrets_found", leaks)
    assert leaks == 0


def test_one_record_faults_the_rest_of_its_batch_lands_then_the_fix_syncs_it(
    transport: str, source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    odoo = odoo_for("acme", transport=transport)
    odoo.fail_record = Arm({}, lambda vals: "Invalid amount" if vals.get("name") == "Spending #1234" else None)
    assert run_dag("acme") == "success"  # 1 of 2,000 rejected: under the tenant's 5% error share
    assert len(odoo.records(LINE)) == N_LINES - 1
    faulted = sum(1 for c in odoo.calls if c.fault_code is not None or (c.http_status or 200) != 200)
    assert faulted >= 2  # the batch, then the halves holding the bad record
    figures.add("faults_injected", faulted, kind="record rejected")
    assert_audited(source, faulted, RECORD_REJECTED[transport], "Invalid amount")
    state = source.execute(
        "SELECT state, error FROM odoo_sync.ledger WHERE idempotency_key = 'acme:line:SL-01234:create'"
    ).fetchone()
    assert state[0] == "error" and "SL-01234" in state[1]
    odoo.fail_record = None
    assert run_dag("acme") == "success"
    finish(odoo, source)


@dataclass
class ProxiedOdoo:
    proxy: LossyProxy
    url: str
    db: str
    login: str


def test_answer_lost_after_commit_creates_no_duplicate(
    transport: str, source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    """Odoo commits a batch of lines; the proxy drops the connection before the answer: no resend, no duplicate."""
    odoo = odoo_for("acme", transport=transport)
    proxy = LossyProxy.for_transport(odoo.port, transport)
    secret = API_KEY if transport == "json2" else PASSWORD
    try:
        connect("odoo_acme", ProxiedOdoo(proxy, proxy.url, odoo.db, odoo.login), secret, transport, tenant_id="acme")
        proxy.lose_at = 6  # the second batch of lines: committed by Odoo, answer lost on the way back
        state = run_dag("acme")
        assert proxy.lost == 1
        if state != "success":
            assert run_dag("acme") == "success"
        figures.add("faults_injected", proxy.lost, kind="answer lost after commit")
        lost = failed_calls(source, "acme")
        assert [(c[1], c[2]) for c in lost] == [("create", None)]  # in doubt: no HTTP status came back
        assert source.execute(
            "SELECT DISTINCT odoo_model FROM odoo_sync.sync_log WHERE call_id = %s", (lost[0][0],)
        ).fetchall() == [(LINE,)]
        created = sum(c.n_records or 0 for c in odoo.calls if c.model == LINE and c.model_method == "create")
        assert created == N_LINES  # the lost batch was never sent again: read back by the ledger
        figures.add("failed_calls_audited", len(lost))
        finish(odoo, source)
    finally:
        proxy.stop()
