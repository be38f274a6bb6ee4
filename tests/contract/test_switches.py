"""The fake's fault switches and statistics (what sits in front of a real Odoo: proxies, outages, delays)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest

from odoo_test_server import CallRecord, FakeOdoo
from tests.contract.conftest import ACCOUNT, LINE, OdooTarget

pytestmark = pytest.mark.contract
REPO = Path(__file__).resolve().parents[2]


class TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


def lines(odoo: OdooTarget, n: int) -> list[dict[str, Any]]:
    return [{"name": f"{odoo.prefix}{i}", "ref": f"{odoo.prefix}{i}", "amount": 1.0} for i in range(n)]


def test_down_refuses_connections_and_up_keeps_port_and_data(odoo: OdooTarget, fake: FakeOdoo) -> None:
    line = odoo.create(LINE, lines(odoo, 1)[0])
    port, proxy = fake.port, odoo.proxy("common")
    assert proxy.version()  # keep-alive connection now open
    fake.down = True
    with pytest.raises(ConnectionRefusedError):
        proxy.version()
    with pytest.raises(ConnectionRefusedError):
        odoo.proxy("common").version()
    fake.down = False
    assert fake.port == port
    assert odoo.call(LINE, "read", [line], ["ref"])[0]["ref"] == f"{odoo.prefix}0"


@pytest.mark.parametrize("status", [502, 503, 504])
def test_http_error_is_a_protocol_error(odoo: OdooTarget, fake: FakeOdoo, status: int) -> None:
    fake.http_error = status
    with pytest.raises(xmlrpc.client.ProtocolError) as info:
        odoo.common.version()
    assert info.value.errcode == status
    with pytest.raises(xmlrpc.client.ProtocolError):
        odoo.call(LINE, "create", lines(odoo, 1))
    fake.http_error = None
    assert odoo.call(LINE, "search_count", [("ref", "like", odoo.prefix)]) == 0  # never reached Odoo
    assert fake.count(method="create") == 0


def test_http_error_count_limits_the_errors(odoo: OdooTarget, fake: FakeOdoo) -> None:
    fake.http_error, fake.http_error_count = 502, 2
    for _ in range(2):
        with pytest.raises(xmlrpc.client.ProtocolError):
            odoo.common.version()
    assert odoo.common.version()["server_version_info"][0] == fake.version
    assert fake.http_error is None and fake.requests_seen == 3


def test_429_has_retry_after(odoo: OdooTarget, fake: FakeOdoo) -> None:
    fake.http_error, fake.retry_after = 429, 2.5
    with pytest.raises(xmlrpc.client.ProtocolError) as info:
        odoo.common.version()
    assert info.value.errcode == 429
    assert info.value.headers["Retry-After"] == "2.5"


def test_delay_slows_every_answer_and_trips_client_timeouts(odoo: OdooTarget, fake: FakeOdoo) -> None:
    fake.delay = 0.3
    started = time.perf_counter()
    odoo.common.version()
    assert time.perf_counter() - started >= 0.3
    slow = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/common", transport=TimeoutTransport(0.1))
    with pytest.raises(TimeoutError):
        slow.version()


def test_commit_then_timeout_commits_before_the_client_gives_up(odoo: OdooTarget, fake: FakeOdoo) -> None:
    uid = odoo.uid
    fake.delay, fake.commit_then_timeout = 0.5, True
    proxy = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object", transport=TimeoutTransport(0.2))
    with pytest.raises(TimeoutError):
        proxy.execute_kw(odoo.db, uid, odoo.password, LINE, "create", [lines(odoo, 3)], {})
    assert len([r for r in fake.records(LINE) if r["ref"].startswith(odoo.prefix)]) == 3


def test_reject_auth(odoo: OdooTarget, fake: FakeOdoo) -> None:
    uid = odoo.uid
    fake.reject_auth = True
    assert odoo.common.authenticate(odoo.db, odoo.login, odoo.password, {}) is False
    fault = odoo.fault(LINE, "search", [])
    assert (fault.faultCode, fault.faultString, uid) == (3, "Access Denied", 2)


def test_fail_record_rolls_the_whole_batch_back(odoo: OdooTarget, fake: FakeOdoo) -> None:
    seen: list[str] = []

    def fail(model: str, vals: dict[str, Any]) -> str | None:
        seen.append(model)
        return "Donor budget line is closed" if vals.get("ref") == f"{odoo.prefix}3" else None

    fake.fail_record = fail
    fault = odoo.fault(LINE, "create", lines(odoo, 5))
    assert (fault.faultCode, fault.faultString) == (2, "Donor budget line is closed")
    assert odoo.call(LINE, "search_count", [("ref", "like", odoo.prefix)]) == 0
    ok = odoo.create(LINE, lines(odoo, 3))
    fault = odoo.fault(LINE, "write", ok, {"ref": f"{odoo.prefix}3"})
    assert fault.faultCode == 2
    assert [r["ref"] for r in odoo.call(LINE, "read", ok, ["ref"])] == [f"{odoo.prefix}{i}" for i in range(3)]
    assert set(seen) == {LINE}


def test_die_after_creates(odoo: OdooTarget, fake: FakeOdoo) -> None:
    fake.die_after_creates = 2
    proxy = odoo.proxy("object")  # one keep-alive connection, like a client sending batches
    for _ in range(2):
        proxy.execute_kw(odoo.db, odoo.uid, odoo.password, LINE, "create", [lines(odoo, 2)], {})
    assert fake.down
    with pytest.raises(ConnectionRefusedError):
        proxy.execute_kw(odoo.db, odoo.uid, odoo.password, LINE, "create", [lines(odoo, 2)], {})
    assert len(fake.records(LINE)) == 4
    fake.down = False
    assert odoo.call(LINE, "search_count", []) == 4


def test_deny_access(odoo: OdooTarget, fake: FakeOdoo) -> None:
    fake.deny_access = {"account.analytic.plan"}
    assert odoo.call("account.analytic.plan", "check_access_rights", "read", raise_exception=False) is False
    fault = odoo.fault("account.analytic.plan", "search_read", [], fields=["name"])
    assert fault.faultCode == 4
    assert fault.faultString.startswith(
        "You are not allowed to access 'Analytic Plans' (account.analytic.plan) records."
    )


def test_calls_and_count(odoo: OdooTarget, fake: FakeOdoo) -> None:
    odoo.uid  # noqa: B018 - authenticate
    fake.reset_calls()
    odoo.common.version()
    odoo.create(LINE, lines(odoo, 3))
    odoo.call(LINE, "write", [1], {"ref": "x"})
    odoo.fault(LINE, "unlink", [999999])
    odoo.call(LINE, "search_read", [("ref", "like", odoo.prefix)], fields=["ref"])
    calls = fake.calls
    assert all(isinstance(c, CallRecord) for c in calls)
    assert [(c.service, c.method, c.model, c.model_method, c.n_records) for c in calls] == [
        ("common", "version", None, None, None),
        ("object", "execute_kw", LINE, "create", 3),
        ("object", "execute_kw", LINE, "write", 1),
        ("object", "execute_kw", LINE, "unlink", 1),
        ("object", "execute_kw", LINE, "search_read", 2),
    ]
    assert [c.fault_code for c in calls] == [None, None, None, 2, None]
    assert fake.count() == 4 and fake.count(model=LINE, method="create") == 1 and fake.count(ACCOUNT) == 0
    assert calls[0].ts <= calls[-1].ts
    fake.reset_calls()
    assert fake.calls == [] and fake.count() == 0


def test_records_inspection(odoo: OdooTarget, fake: FakeOdoo) -> None:
    account = odoo.account(3, "insp")
    odoo.call(ACCOUNT, "write", [account], {"active": False})
    recs = fake.records(ACCOUNT)
    assert recs[-1]["id"] == account and recs[-1]["plan_id"] == 3 and recs[-1]["partner_id"] is False
    assert all(r["id"] != account for r in fake.records(ACCOUNT, include_inactive=False))


def test_parallel_batches_get_distinct_ids(odoo: OdooTarget, fake: FakeOdoo) -> None:
    results: list[list[int]] = []

    def worker(n: int) -> None:
        proxy = odoo.proxy("object")
        results.append(
            proxy.execute_kw(
                odoo.db,
                2,
                odoo.password,
                LINE,
                "create",
                [[{"name": f"t{n}-{i}", "amount": 1.0} for i in range(50)]],
                {},
            )
        )

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [i for batch in results for i in batch]
    assert len(ids) == len(set(ids)) == 400


def test_cli_serves_until_sigterm() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "odoo_test_server", "--port", "0", "--db", "demo"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("fake odoo listening on http://127.0.0.1:") and line.endswith("db=demo login=admin")
        url = line.split()[4]
        assert xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate("demo", "admin", "admin", {}) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
