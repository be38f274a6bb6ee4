"""The writer's pipeline and grouped writes: keys committed pending before their call, one call in flight,
records getting the same change in one call, a bad record among them isolated."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any

import psycopg
import pytest

from odoo_sync.keys import IdempotencyKey
from odoo_sync.odoo.client import OdooClient, OdooEndpoint
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.json2 import make_client
from odoo_sync.odoo.models import ACCOUNT
from odoo_sync.odoo.seams import WatchedClient
from odoo_sync.store.ledger import Ledger
from odoo_sync.store.sync_log import SyncLog
from odoo_sync.sync.writer import ChangeItem, IdempotentWriter
from odoo_test_server import FakeOdoo
from tests.conftest import dsn
from tests.integration.test_writer import LINE, SPEC, ledger_states, lines

pytestmark = pytest.mark.integration


class Witness:
    """Looks at the ledger from another connection each time a call is sent (only committed rows show)."""

    def __init__(self, dbname: str) -> None:
        self.conn = psycopg.connect(dsn(dbname), autocommit=True)
        self.in_flight, self.most_in_flight, self.not_pending = 0, 0, 0
        self.lock = threading.Lock()

    def sending(self, keys: list[str]) -> None:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        rows = self.conn.execute(
            "SELECT count(*) FROM odoo_sync.ledger WHERE idempotency_key = ANY(%s) AND state = 'pending'", (keys,)
        ).fetchone()
        self.not_pending += len(keys) - (rows[0] if rows else 0)

    def answered(self) -> None:
        with self.lock:
            self.in_flight -= 1


def watched(hook: OdooHook, method: str, witness: Witness) -> None:
    original = getattr(hook, method)

    def call(model: str, *args: Any) -> Any:
        witness.sending([e.idempotency_key for e in args[-1]])
        try:
            return original(model, *args)
        finally:
            witness.answered()

    setattr(hook, method, call)


def test_each_batch_is_pending_and_committed_before_its_call_and_one_call_is_in_flight(
    hook: OdooHook, odoo: FakeOdoo, db: psycopg.Connection, pg_database: str
) -> None:
    witness = Witness(pg_database)
    watched(hook, "create_many", witness)
    result = IdempotentWriter(hook, Ledger(db)).ensure_created(SPEC, lines(2000))
    assert (result.created, odoo.count(LINE, "create")) == (2000, 4)
    assert (witness.not_pending, witness.most_in_flight) == (0, 1)
    assert ledger_states(db) == {"done": 2000}
    logged = db.execute("SELECT count(*) FROM odoo_sync.sync_log WHERE method = 'create' AND outcome = 'ok'")
    assert logged.fetchone() == (2000,)  # every pipelined call has its audit rows, written by this thread


def changes(ids: dict[str, int], vals: dict[str, Any] | None = None) -> list[ChangeItem]:
    out = []
    for n, (key, odoo_id) in enumerate(sorted(ids.items())):
        entity = key.split(":")[2]
        change = vals if vals is not None else {"amount": -1000.0 - n}
        out.append(ChangeItem(IdempotencyKey("acme", "line", entity, "write-1-abc"), odoo_id, change))
    return out


def test_the_same_change_over_2000_records_is_one_write(
    writer: IdempotentWriter, odoo: FakeOdoo, db: psycopg.Connection, pg_database: str
) -> None:
    created = writer.ensure_created(SPEC, lines(2000))
    odoo.reset_calls()
    witness = Witness(pg_database)
    watched(writer.hook, "write", witness)
    result = writer.ensure_written(LINE, changes(created.ids, {"name": "moved"}))
    assert (result.changed, odoo.count(LINE, "write"), witness.not_pending) == (2000, 1, 0)
    assert {r["name"] for r in odoo.records(LINE)} == {"moved"}
    assert ledger_states(db) == {"done": 4000}
    assert writer.ensure_written(LINE, changes(created.ids, {"name": "moved"})).changed == 0


def test_values_per_record_share_load_calls_booked_before_each(
    writer: IdempotentWriter, odoo: FakeOdoo, db: psycopg.Connection, pg_database: str
) -> None:
    created = writer.ensure_created(SPEC, lines(4500))
    odoo.reset_calls()
    witness = Witness(pg_database)
    watched(writer.hook, "load_rows", witness)
    result = writer.ensure_written(LINE, changes(created.ids))
    assert (result.changed, odoo.count(LINE, "write"), odoo.count(LINE, "load")) == (4500, 0, 3)  # 2,000 a call
    assert (witness.not_pending, witness.most_in_flight) == (0, 1)
    assert sorted(r["amount"] for r in odoo.records(LINE)) == [-1000.0 - n for n in range(4499, -1, -1)]
    assert ledger_states(db) == {"done": 9000}
    assert writer.ensure_written(LINE, changes(created.ids)).changed == 0  # done keys: no call


def test_a_row_load_refuses_is_kept_apart_and_the_others_are_written(
    writer: IdempotentWriter, odoo: FakeOdoo, db: psycopg.Connection
) -> None:
    created = writer.ensure_created(SPEC, lines(300))
    gone = created.ids["acme:line:SL-77:create"]
    writer.hook.execute(LINE, "unlink", [[gone]])
    items = changes(created.ids)
    bad = next(i for i in items if i.key.entity_id == "SL-12")
    items[items.index(bad)] = ChangeItem(bad.key, bad.odoo_id, {"amount": "not a number"})
    odoo.reset_calls()
    result = writer.ensure_written(LINE, items)
    assert result.changed == 298 and result.missing == {"acme:line:SL-77:write-1-abc"}
    assert set(result.errors) == {"acme:line:SL-77:write-1-abc", "acme:line:SL-12:write-1-abc"}
    assert "Unknown database identifier" in result.errors["acme:line:SL-77:write-1-abc"]
    assert (odoo.count(LINE, "load"), odoo.count(LINE, "write")) == (2, 0)  # the refused call, then the rest
    amounts = {r["id"]: r["amount"] for r in odoo.records(LINE)}
    assert amounts[created.ids["acme:line:SL-12:create"]] != "not a number"
    assert sum(1 for i in items if amounts.get(i.odoo_id) == (i.vals or {}).get("amount")) == 298
    logged = db.execute(
        "SELECT count(*) FROM odoo_sync.sync_log WHERE method = 'load' AND outcome = 'error'"
    ).fetchone()
    assert logged == (300,)  # the refused call: one error row per key it carried


def test_a_record_deleted_in_odoo_is_isolated_from_its_group(writer: IdempotentWriter, odoo: FakeOdoo) -> None:
    created = writer.ensure_created(SPEC, lines(600))
    gone = created.ids["acme:line:SL-77:create"]
    writer.hook.execute(LINE, "unlink", [[gone]])
    result = writer.ensure_written(LINE, changes(created.ids, {"name": "moved"}))
    assert result.changed == 599 and result.missing == {"acme:line:SL-77:write-1-abc"}
    assert {r["name"] for r in odoo.records(LINE)} == {"moved"}


def test_load_sends_related_ids_per_record(writer: IdempotentWriter, odoo: FakeOdoo) -> None:
    created = writer.ensure_created(SPEC, lines(3))
    plan_id = writer.hook.search_read("account.analytic.plan", [("parent_id", "=", False)], ["id"])[0]["id"]
    accounts = writer.hook.create_many(ACCOUNT, [{"name": f"moved {n}", "plan_id": plan_id} for n in range(3)], [])
    items = [
        ChangeItem(IdempotencyKey("acme", "line", key.split(":")[2], "write-1-acc"), odoo_id, {"account_id": account})
        for (key, odoo_id), account in zip(sorted(created.ids.items()), accounts, strict=True)
    ]
    odoo.reset_calls()
    result = writer.ensure_written(LINE, items)
    assert (result.changed, result.errors, odoo.count(LINE, "load")) == (3, {}, 1)
    held = {r["id"]: r["account_id"] for r in odoo.records(LINE)}
    assert [held[i.odoo_id] for i in items] == accounts


BUDGET_CLOSED = "The budget of this line is closed."
DB_ERROR = "Unknown database error: 'current transaction is aborted, commands ignored until end of transaction block'"


class LoadAnswers(WatchedClient):
    """The wire client, with Odoo's ``load`` answering for the row of one record as Odoo 17's ``load`` does
    (odoo/models.py) in two cases the test server does not produce: ``skip`` (a database warning in the
    row-by-row pass: the row is not written, the others are, and ``ids`` lacks it) or a broken transaction
    (every call holding the row is rolled back, "Unknown database error" pinned on the call's first row)."""

    def __init__(self, inner: OdooClient, odoo_id: int, *, skip: bool) -> None:
        super().__init__(inner, lambda name: nullcontext())
        self.odoo_id, self.skip = odoo_id, skip

    def execute_kw(
        self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any], *, setup: bool = False
    ) -> Any:
        rows = args[1] if method == "load" else []
        index = next((n for n, row in enumerate(rows) if row[0] == str(self.odoo_id)), None)
        if index is None:
            return self.inner.execute_kw(uid, model, method, args, kwargs, setup=setup)
        first = {"rows": {"from": 0, "to": 0}, "record": 0}
        if not self.skip:
            return {"ids": False, "messages": [{**first, "type": "error", "message": DB_ERROR}], "nextrow": 0}
        rest = [row for n, row in enumerate(rows) if n != index]
        answer = self.inner.execute_kw(uid, model, method, [args[0], rest], kwargs, setup=setup)
        warning = {"rows": {"from": index, "to": index}, "record": index, "type": "warning", "message": "truncated"}
        return {**answer, "messages": [*answer["messages"], warning]}


def answering(sync_log: SyncLog, db: psycopg.Connection, odoo_id: int, *, skip: bool) -> IdempotentWriter:
    def factory(endpoint: OdooEndpoint, api: str | None) -> OdooClient:
        return LoadAnswers(make_client(endpoint, api), odoo_id, skip=skip)

    hook = OdooHook("odoo_test", tenant_id="acme", sync_log=sync_log, client_factory=factory)
    return IdempotentWriter(hook, Ledger(db))


def amounts_written(odoo: FakeOdoo, items: list[ChangeItem]) -> set[str]:
    held = {r["id"]: r["amount"] for r in odoo.records(LINE)}
    return {str(i.key) for i in items if held[i.odoo_id] == (i.vals or {})["amount"]}


def test_a_constraint_odoo_pins_on_the_first_row_refuses_only_the_row_that_broke_it(
    writer: IdempotentWriter, odoo: FakeOdoo, db: psycopg.Connection
) -> None:
    items = changes(writer.ensure_created(SPEC, lines(300)).ids)
    bad = items[137]
    odoo.fail_record = lambda model, vals: BUDGET_CLOSED if vals.get("amount") == (bad.vals or {})["amount"] else None
    result = writer.ensure_written(LINE, items)
    assert (result.errors, result.changed) == ({str(bad.key): BUDGET_CLOSED}, 299)  # before: row 0 refused too
    assert amounts_written(odoo, items) == {str(i.key) for i in items} - {str(bad.key)}
    assert ledger_states(db) == {"done": 599, "error": 1}


def test_a_database_error_on_the_first_row_is_isolated_to_the_row_that_caused_it(
    writer: IdempotentWriter, sync_log: SyncLog, odoo: FakeOdoo, db: psycopg.Connection
) -> None:
    items = changes(writer.ensure_created(SPEC, lines(300)).ids)
    bad = items[137]
    result = answering(sync_log, db, bad.odoo_id, skip=False).ensure_written(LINE, items)
    assert list(result.errors) == [str(bad.key)] and DB_ERROR in result.errors[str(bad.key)]
    assert result.changed == 299  # before: each resent call's first row was refused in turn
    assert amounts_written(odoo, items) == {str(i.key) for i in items} - {str(bad.key)}


def test_a_row_load_skips_with_a_warning_is_that_rows_error_and_sent_again(
    writer: IdempotentWriter, sync_log: SyncLog, odoo: FakeOdoo, db: psycopg.Connection
) -> None:
    items = changes(writer.ensure_created(SPEC, lines(300)).ids)
    skipped = items[42]
    result = answering(sync_log, db, skipped.odoo_id, skip=True).ensure_written(LINE, items)
    assert (result.errors, result.changed) == ({str(skipped.key): "truncated"}, 299)  # before: all 300 'done'
    assert amounts_written(odoo, items) == {str(i.key) for i in items} - {str(skipped.key)}
    assert ledger_states(db) == {"done": 599, "error": 1}
    logged = db.execute(
        "SELECT idempotency_key, outcome, error FROM odoo_sync.sync_log WHERE method = 'load' AND outcome = 'error'"
    ).fetchall()
    assert logged == [(str(skipped.key), "error", "truncated")]  # the others' rows of the same call say 'ok'

    again = writer.ensure_written(LINE, items)  # the next run sends the skipped row's key again
    assert (again.changed, again.skipped, again.errors) == (1, 299, {})
    assert amounts_written(odoo, items) == {str(i.key) for i in items}
