"""Faults during a real sync of 2,000 lines (dag.test against the test Odoo), then recovery and a re-run.

After each scenario: exactly one Odoo record per idempotency key, no line missing, the ledger agrees with Odoo,
every failed call has its sync_log row (outcome, HTTP status where an answer came, latency, error), and no call
reached a model or method outside the write guard.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.fake_odoo import FakeOdoo
from tests.integration.conftest import odoo_conn
from tests.reliability import figures
from tests.reliability.checks import LINE, audit, failed_calls, forbidden_calls, records_of
from tests.reliability.conftest import N_LINES, PASSWORD
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


def assert_audited(db: psycopg.Connection, expected: int, http_status: int | None, error: str) -> list[Any]:
    """Each failed call has one sync_log call (rows share call_id) with its status, latency and error."""
    calls = failed_calls(db, "acme")
    assert len(calls) == expected, calls
    for _call_id, _method, status, latency, text, _rows in calls:
        assert status == http_status and latency is not None and latency >= 0
        assert text and error.lower() in text.lower()
    figures.add("failed_calls_audited", len(calls))
    return calls


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_mid_batch_are_retried_by_airflow(
    status: int, source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    odoo = odoo_for("acme")

    def arm() -> None:
        odoo.http_error, odoo.http_error_count = status, 2

    odoo.fail_record = Arm({ARM_AT: arm})
    assert run_dag("acme", retries=2) == "success"  # try 1 and 2 fail on the 5xx, try 3 recovers
    assert odoo.http_error is None  # both 5xx answers were sent
    figures.add("faults_injected", 2)
    assert_audited(source, 2, status, f"HTTP {status}")
    tries = source.execute(
        "SELECT max(try_number) FROM odoo_sync.sync_log WHERE method = 'create' AND odoo_model = %s", (LINE,)
    ).fetchone()[0]
    assert tries == 3
    finish(odoo, source)


def test_server_dies_mid_batch_then_the_dag_is_rerun(
    source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    odoo = odoo_for("acme")
    odoo.die_after_creates = 6  # 4 account/project creates, then the second batch of lines: answered, then dead
    assert run_dag("acme") == "failed"
    assert odoo.down and len(odoo.records(LINE)) == 1000
    figures.add("faults_injected")
    assert_audited(source, 1, None, "refused")
    odoo.down = False
    assert run_dag("acme") == "success"
    finish(odoo, source)


def test_server_hangs_past_the_timeout_and_commits_late(
    source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    """The client gives up after 2 s; the server still commits the batch after 3 s: the re-run reads it back."""
    odoo = odoo_for("acme")
    hang = {ARM_AT: lambda: setattr(odoo, "delay", 3.0), 1001: lambda: setattr(odoo, "delay", 0.0)}
    odoo.fail_record = Arm(hang)
    assert run_dag("acme") == "failed"
    figures.add("faults_injected")
    assert_audited(source, 1, None, "timed out")
    deadline = time.monotonic() + 10
    while len(odoo.records(LINE)) < 1500 and time.monotonic() < deadline:
        time.sleep(0.05)  # the hung call lands after the client gave up
    assert len(odoo.records(LINE)) == 1500
    assert run_dag("acme") == "success"
    created = [c.n_records for c in odoo.calls if c.model == LINE and c.model_method == "create"]
    assert sum(created) == N_LINES  # the late batch was read back by its markers, not created again
    finish(odoo, source)


def test_password_changed_mid_run_fails_fast_then_the_new_one_works(
    source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    odoo = odoo_for("acme")
    new_password = "Rotated-pw-after-audit-42"
    odoo.fail_record = Arm({ARM_AT: lambda: setattr(odoo, "password", new_password)})
    assert run_dag("acme", retries=2) == "failed"  # authentication is not retried
    figures.add("faults_injected")
    calls = assert_audited(source, 1, 200, "Access Denied")
    assert calls[0][1] == "create"
    assert source.execute("SELECT max(try_number) FROM odoo_sync.sync_log").fetchone()[0] == 1
    odoo_conn("odoo_acme", odoo, password=new_password, tenant_id="acme")
    assert run_dag("acme") == "success"
    for secret in (PASSWORD, new_password):
        leaks = source.execute(
            "SELECT count(*) FROM odoo_sync.sync_log WHERE strpos(concat_ws('|', error, idempotency_key,"
            " entity_id, run_id), %s) > 0",
            (secret,),
        ).fetchone()[0]
        assert leaks == 0
    figures.add("secrets_tried", 2)
    finish(odoo, source)


def test_one_record_faults_the_rest_of_its_batch_lands_then_the_fix_syncs_it(
    source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    odoo = odoo_for("acme")
    odoo.fail_record = Arm({}, lambda vals: "Invalid amount" if vals.get("name") == "Spending #1234" else None)
    assert run_dag("acme") == "success"  # 1 of 2,000 rejected: under the tenant's 5% error share
    assert len(odoo.records(LINE)) == N_LINES - 1
    faulted = sum(1 for c in odoo.calls if c.fault_code is not None)
    assert faulted >= 2  # the batch, then the halves holding the bad record
    figures.add("faults_injected", faulted)
    assert_audited(source, faulted, 200, "Invalid amount")
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
    source: psycopg.Connection, odoo_for: Callable[..., FakeOdoo], run_dag: Callable[..., str]
) -> None:
    odoo = odoo_for("acme")
    proxy = LossyProxy(odoo.port)
    try:
        proxy.lose_at = 6  # the second batch of lines: committed by Odoo, answer lost on the way back
        odoo_conn("odoo_acme", ProxiedOdoo(proxy, proxy.url, odoo.db, odoo.login), password=PASSWORD, tenant_id="acme")
        state = run_dag("acme")
        if state != "success":
            assert run_dag("acme") == "success"
        figures.add("faults_injected", proxy.lost)
        finish(odoo, source)
    finally:
        proxy.stop()
