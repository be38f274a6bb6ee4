"""The idempotent writer: batching, replays, crash recovery, per-record rejections."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
import pytest

from odoo_sync.keys import IdempotencyKey
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.store.ledger import Ledger, LedgerEntry
from odoo_sync.sync.writer import ChangeItem, CreateItem, CreateSpec, IdempotentWriter
from odoo_test_server import FakeOdoo

pytestmark = pytest.mark.integration
LINE = "account.analytic.line"
SPEC = CreateSpec(LINE, "ref")


class CountingLedger(Ledger):
    """The real ledger, counting its look-ups (a spy, not a fake)."""

    lookups = 0

    def lookup(self, keys: Iterable[IdempotencyKey | str]) -> dict[str, LedgerEntry]:
        self.lookups += 1
        return super().lookup(keys)


def lines(n: int, start: int = 1) -> list[CreateItem]:
    items = []
    for i in range(start, start + n):
        key = IdempotencyKey("acme", "line", f"SL-{i}", "create")
        vals = {"name": f"line {i}", "date": "2026-03-01", "amount": -float(i), "ref": str(key)}
        items.append(CreateItem(key, vals, str(key)))
    return items


def ledger_states(db: psycopg.Connection) -> dict[str, int]:
    return dict(db.execute("SELECT state, count(*) FROM odoo_sync.ledger GROUP BY state").fetchall())


class CrashBeforeCommit(Ledger):
    def mark_done(self, odoo_ids):  # the worker dies between Odoo's answer and the commit
        raise SystemExit("killed")


def test_1000_lines_cost_one_ledger_query_and_two_creates(hook: OdooHook, odoo: FakeOdoo, db) -> None:
    ledger = CountingLedger(db)
    result = IdempotentWriter(hook, ledger).ensure_created(SPEC, lines(1000))
    assert (result.created, ledger.lookups, odoo.count(LINE, "create")) == (1000, 1, 2)
    assert len(odoo.records(LINE)) == 1000
    assert ledger_states(db) == {"done": 1000}


def test_replaying_a_batch_makes_no_mutation(writer: IdempotentWriter, odoo: FakeOdoo, db) -> None:
    first = writer.ensure_created(SPEC, lines(300))
    odoo.reset_calls()
    again = writer.ensure_created(SPEC, lines(300))
    assert again.skipped == 300 and again.mutations == 0
    assert odoo.calls == [] and again.ids == first.ids
    skipped = db.execute("SELECT count(*) FROM odoo_sync.sync_log WHERE outcome = 'skipped'").fetchone()[0]
    assert skipped == 300


def test_crash_after_odoo_answered_before_ledger_commit_leaves_one_record_per_key(
    hook: OdooHook, odoo: FakeOdoo, db: psycopg.Connection
) -> None:
    with pytest.raises(SystemExit):
        IdempotentWriter(hook, CrashBeforeCommit(db)).ensure_created(SPEC, lines(50))
    assert len(odoo.records(LINE)) == 50 and ledger_states(db) == {"pending": 50}

    retry = IdempotentWriter(hook, Ledger(db)).ensure_created(SPEC, lines(60))
    assert (retry.recovered, retry.created) == (50, 10)
    refs = [r["ref"] for r in odoo.records(LINE)]
    assert len(refs) == 60 == len(set(refs))
    assert ledger_states(db) == {"done": 60}


def test_ledger_rows_read_ahead_replace_the_lookup_and_still_recover_a_crash(
    hook: OdooHook, odoo: FakeOdoo, db: psycopg.Connection
) -> None:
    """The lines' read-ahead reads a chunk's ledger rows on its own connection; the writer then asks nothing."""

    with pytest.raises(SystemExit):
        IdempotentWriter(hook, CrashBeforeCommit(db)).ensure_created(SPEC, lines(50))
    items = lines(60)
    ahead = Ledger(db).lookup(i.key for i in items)  # as the read-ahead thread does, before the chunk's turn
    ledger = CountingLedger(db)
    retry = IdempotentWriter(hook, ledger).ensure_created(SPEC, items, known=ahead)
    assert (ledger.lookups, retry.recovered, retry.created) == (0, 50, 10)
    assert len({r["ref"] for r in odoo.records(LINE)}) == len(odoo.records(LINE)) == 60
    assert ledger_states(db) == {"done": 60}


def test_timeout_then_retry_reads_back_instead_of_creating_again(
    hook: OdooHook, odoo: FakeOdoo, db: psycopg.Connection
) -> None:
    hook.get_conn()
    odoo.commit_then_timeout = True
    odoo.delay = 3.0
    with pytest.raises(Exception, match=r"timed out|in doubt|failed"):
        IdempotentWriter(hook, Ledger(db)).ensure_created(SPEC, lines(20))
    odoo.commit_then_timeout = False
    odoo.delay = 0
    retry = IdempotentWriter(hook, Ledger(db)).ensure_created(SPEC, lines(20))
    assert retry.recovered == 20 and retry.created == 0
    assert len(odoo.records(LINE)) == 20


def test_one_bad_record_is_isolated_and_the_rest_land(writer: IdempotentWriter, odoo: FakeOdoo, db) -> None:
    odoo.fail_record = lambda model, vals: "bad amount" if vals.get("name") == "line 137" else None
    result = writer.ensure_created(SPEC, lines(500))
    assert result.created == 499 and list(result.errors) == ["acme:line:SL-137:create"]
    assert len(odoo.records(LINE)) == 499
    assert ledger_states(db) == {"done": 499, "error": 1}


def test_writes_once_per_revision_and_unlinks_once(writer: IdempotentWriter, odoo: FakeOdoo) -> None:
    created = writer.ensure_created(SPEC, lines(3))
    odoo_id = created.ids["acme:line:SL-1:create"]
    change = ChangeItem(IdempotencyKey("acme", "line", "SL-1", "write-r2"), odoo_id, {"amount": -99.0})
    assert writer.ensure_written(LINE, [change]).changed == 1
    assert writer.ensure_written(LINE, [change]).changed == 0
    assert next(r for r in odoo.records(LINE) if r["id"] == odoo_id)["amount"] == -99.0
    gone = ChangeItem(IdempotencyKey("acme", "line", "SL-2", "unlink"), created.ids["acme:line:SL-2:create"])
    assert writer.ensure_unlinked(LINE, [gone]).changed == 1
    assert writer.ensure_unlinked(LINE, [gone]).changed == 0
    assert len(odoo.records(LINE)) == 2


def removals(ids: dict[str, int]) -> list[ChangeItem]:
    return [
        ChangeItem(IdempotencyKey("acme", "line", key.split(":")[2], "unlink"), odoo_id)
        for key, odoo_id in sorted(ids.items())
    ]


def test_a_record_odoo_refuses_to_delete_is_isolated_and_the_rest_are_removed(
    writer: IdempotentWriter, odoo: FakeOdoo, db: psycopg.Connection
) -> None:
    created = writer.ensure_created(SPEC, lines(300))
    locked = created.ids["acme:line:SL-137:create"]
    odoo.fail_unlink = lambda model, record: "You cannot delete a validated entry." if record["id"] == locked else None
    result = writer.ensure_unlinked(LINE, removals(created.ids))
    assert (result.changed, list(result.errors)) == (299, ["acme:line:SL-137:unlink"])
    assert "You cannot delete a validated entry." in result.errors["acme:line:SL-137:unlink"]
    assert [r["id"] for r in odoo.records(LINE)] == [locked]
    assert ledger_states(db) == {"done": 599, "error": 1}
    refused = db.execute(
        "SELECT count(*) FROM odoo_sync.sync_log WHERE method = 'unlink' AND outcome = 'error'"
        " AND idempotency_key = 'acme:line:SL-137:unlink' AND error LIKE %s",
        ("%validated entry%",),
    ).fetchone()
    assert refused is not None and refused[0] >= 1  # the call that held it alone, at least

    odoo.fail_unlink = None  # someone unlocked it in Odoo: the same key goes through on the next call
    again = writer.ensure_unlinked(LINE, removals(created.ids))
    assert (again.changed, again.skipped, again.errors) == (1, 299, {})
    assert odoo.records(LINE) == [] and ledger_states(db) == {"done": 600}


def test_a_record_rule_refusing_one_delete_is_that_records_error(
    writer: IdempotentWriter, odoo: FakeOdoo, db: psycopg.Connection
) -> None:
    from odoo_test_server.errors import AccessError

    created = writer.ensure_created(SPEC, lines(8))
    locked = created.ids["acme:line:SL-3:create"]
    rule = "Due to security restrictions, you are not allowed to delete 'Analytic Line' (account.analytic.line)"
    odoo.fail_unlink = lambda model, record: AccessError(rule) if record["id"] == locked else None
    result = writer.ensure_unlinked(LINE, removals(created.ids))
    assert (result.changed, list(result.errors)) == (7, ["acme:line:SL-3:unlink"])
    assert [r["id"] for r in odoo.records(LINE)] == [locked]
