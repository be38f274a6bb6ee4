"""The hook's and the session's seams: watch calls and time through them instead of patching classes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.json2 import make_client
from odoo_sync.odoo.seams import SYSTEM_CLOCK, Clock, watched
from odoo_sync.store.ledger import Ledger
from odoo_sync.store.locks import lock_tenant
from odoo_sync.store.sync_log import SyncLog
from odoo_sync.sync.runtime import Seams
from odoo_test_server import FakeOdoo

pytestmark = pytest.mark.integration
PLAN = "account.analytic.plan"


class Watcher:
    """Notes each call as it is sent and whether it was answered."""

    def __init__(self) -> None:
        self.events: list[str] = []

    @contextmanager
    def watch(self, call: str) -> Iterator[None]:
        self.events.append(f"send {call}")
        yield
        self.events.append(f"answer {call}")


def test_a_client_factory_sees_every_call_in_order(odoo: FakeOdoo, sync_log: SyncLog) -> None:
    watcher = Watcher()
    hook = OdooHook("odoo_test", tenant_id="acme", sync_log=sync_log, client_factory=watched(watcher.watch))
    assert hook.search_count(PLAN, []) >= 3
    calls = ["version", "authenticate", f"{PLAN}.search_count"]
    assert watcher.events == [f"{what} {call}" for call in calls for what in ("send", "answer")]
    assert hook.get_conn().api_name == "XML-RPC"  # the watched client speaks for the real one


def test_a_failed_call_is_seen_sent_and_never_answered(odoo: FakeOdoo, sync_log: SyncLog) -> None:
    watcher = Watcher()
    hook = OdooHook("odoo_test", tenant_id="acme", sync_log=sync_log, client_factory=watched(watcher.watch))
    hook.get_conn()
    odoo.http_error = 502
    with pytest.raises(Exception, match="502"):
        hook.search_count(PLAN, [])
    assert watcher.events[-2:] == ["answer authenticate", f"send {PLAN}.search_count"]


def test_retry_after_waits_on_the_hooks_clock(odoo: FakeOdoo, sync_log: SyncLog) -> None:
    slept: list[float] = []
    hook = OdooHook("odoo_test", tenant_id="acme", sync_log=sync_log, clock=Clock(sleep=slept.append))
    hook.get_conn()
    odoo.retry_after, odoo.http_error, odoo.http_error_count = 0.2, 429, 1
    assert hook.search_count(PLAN, []) >= 3
    assert slept == [0.2]


def test_the_throttle_paces_on_the_hooks_clock(odoo: FakeOdoo, sync_log: SyncLog) -> None:
    slept: list[float] = []
    frozen = Clock(monotonic=lambda: 100.0, sleep=slept.append)
    hook = OdooHook("odoo_test", tenant_id="acme", sync_log=sync_log, calls_per_second=2, clock=frozen)
    for _ in range(2):
        hook.search_count(PLAN, [])
    # version, authenticate, two reads: a burst of 2, then each call waits half a second on a clock that stands still
    assert slept == [0.5, 0.5]


def test_the_seams_default_to_production() -> None:
    seams = Seams()
    assert (seams.client_factory, seams.clock, seams.lock_tenant) == (make_client, SYSTEM_CLOCK, lock_tenant)
    assert (seams.sync_log, seams.ledger) == (SyncLog, Ledger)
