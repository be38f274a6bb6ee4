"""Values that differ per line, written the way the server does it fastest (issue 20): through the lines'
account (UPDATE commands on ``line_ids``, Odoo 17 and 18) or ``web_save_multi`` (Odoo 19+); ``load`` when a
record has no account. Ledger, isolation of a refused line and the audit rows as for any write."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from odoo_sync.keys import IdempotencyKey
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.models import ACCOUNT
from odoo_sync.store.ledger import Ledger
from odoo_sync.store.sync_log import SyncLog
from odoo_sync.sync.writer import ChangeItem, CreateItem, IdempotentWriter
from odoo_test_server import FakeOdoo
from tests.integration.conftest import PASSWORD, odoo_conn
from tests.integration.test_writer import LINE, SPEC, ledger_states

pytestmark = pytest.mark.integration


@pytest.fixture(params=[17, 18, 19], ids=lambda v: f"odoo{v}")
def server(request: pytest.FixtureRequest) -> Iterator[FakeOdoo]:
    srv = FakeOdoo(db="acme", login="admin", password=PASSWORD, version=request.param).start()
    odoo_conn("odoo_versions", srv)
    yield srv
    srv.stop()


@pytest.fixture
def writer(server: FakeOdoo, sync_log: SyncLog, db: psycopg.Connection) -> IdempotentWriter:
    return IdempotentWriter(OdooHook("odoo_versions", tenant_id="acme", sync_log=sync_log), Ledger(db))


def _accounts(writer: IdempotentWriter, n: int) -> list[int]:
    plan = int(writer.hook.execute("ir.config_parameter", "get_param", ["analytic.project_plan"]) or 0)
    vals = [{"name": f"project {i}", "code": f"P{i}", "plan_id": plan} for i in range(n)]
    return writer.hook.create_many(ACCOUNT, vals, [])


def _lines_on(writer: IdempotentWriter, accounts: list[int], per_account: int) -> list[ChangeItem]:
    """Lines created on each account; one change each, its amount its own, carrying the line's account."""
    items, n = [], 0
    for account in accounts:
        creates = []
        for _ in range(per_account):
            n += 1
            key = IdempotencyKey("acme", "line", f"SL-{n}", "create")
            vals = {"name": f"line {n}", "amount": -float(n), "account_id": account, "ref": str(key)}
            creates.append(CreateItem(key, vals, str(key)))
        ids = writer.ensure_created(SPEC, creates).ids
        items += [
            ChangeItem(
                IdempotencyKey("acme", "line", c.key.entity_id, "write-1-abc"),
                ids[str(c.key)],
                {"amount": -1000.0 - i, "name": f"revised {c.key.entity_id}"},
                account,
            )
            for i, c in enumerate(creates)
        ]
    return items


def _held(server: FakeOdoo) -> dict[int, tuple[float, str]]:
    return {r["id"]: (r["amount"], r["name"]) for r in server.records(LINE)}


def _accounts_held(server: FakeOdoo) -> dict[int, int]:
    return {r["id"]: r["account_id"] for r in server.records(LINE)}


@pytest.mark.parametrize(("accounts", "per_account"), [(3, 700), (700, 3)], ids=["3x700", "700x3"])
def test_values_per_line_take_the_servers_fastest_way_one_call_per_chunk_whatever_the_accounts(
    writer: IdempotentWriter, server: FakeOdoo, db: psycopg.Connection, accounts: int, per_account: int
) -> None:
    """2,100 lines on 3 accounts, or on 700 (a rate corrected across many projects): two calls either way."""
    items = _lines_on(writer, _accounts(writer, accounts), per_account)
    server.reset_calls()
    result = writer.ensure_written(LINE, items)
    assert (result.changed, result.errors) == (2100, {})
    held = _held(server)
    assert all(held[i.odoo_id] == (i.vals["amount"], i.vals["name"]) for i in items if i.vals)
    assert {i.odoo_id: i.account for i in items}.items() <= _accounts_held(server).items()  # each on its own
    calls = {m: server.count(model, m) for model, m in [(ACCOUNT, "write"), (LINE, "web_save_multi"), (LINE, "load")]}
    if server.version >= 19:
        assert calls == {"write": 0, "web_save_multi": 2, "load": 0}
    else:  # UPDATE commands through the first line's account: 2,000 lines, then 100
        assert calls == {"write": 2, "web_save_multi": 0, "load": 0}
    assert ledger_states(db) == {"done": 4200}
    assert writer.ensure_written(LINE, items).changed == 0  # done keys: no call


def test_a_line_odoo_refuses_is_isolated_and_the_others_are_written(
    writer: IdempotentWriter, server: FakeOdoo, db: psycopg.Connection
) -> None:
    items = _lines_on(writer, _accounts(writer, 1), 64)
    bad = items[37]
    server.fail_record = lambda model, vals: (
        "locked by finance" if vals.get("name") == f"revised {bad.key.entity_id}" else None
    )
    result = writer.ensure_written(LINE, items)
    assert result.changed == 63 and set(result.errors) == {str(bad.key)}
    assert "locked by finance" in result.errors[str(bad.key)]
    held = _held(server)
    assert held[bad.odoo_id] == (-38.0, "line 38")  # Odoo keeps what it had
    assert sum(1 for i in items if i.vals and held[i.odoo_id] == (i.vals["amount"], i.vals["name"])) == 63
    assert ledger_states(db) == {"done": 64 + 63, "error": 1}


def test_the_audit_names_each_line_written_through_its_account(
    writer: IdempotentWriter, server: FakeOdoo, db: psycopg.Connection
) -> None:
    items = _lines_on(writer, _accounts(writer, 1), 3)
    writer.ensure_written(LINE, items)
    rows = db.execute(
        "SELECT odoo_model, method, odoo_id, idempotency_key FROM odoo_sync.sync_log "
        "WHERE outcome = 'ok' AND idempotency_key LIKE '%write-1-abc' ORDER BY odoo_id"
    ).fetchall()
    model, method = (ACCOUNT, "write") if server.version < 19 else (LINE, "web_save_multi")
    assert rows == [(model, method, i.odoo_id, str(i.key)) for i in sorted(items, key=lambda i: i.odoo_id)]


def test_a_record_without_an_account_still_goes_through_load(writer: IdempotentWriter, server: FakeOdoo) -> None:
    items = [ChangeItem(i.key, i.odoo_id, i.vals, None) for i in _lines_on(writer, _accounts(writer, 1), 5)]
    server.reset_calls()
    assert writer.ensure_written(LINE, items).changed == 5
    assert server.count(LINE, "load" if server.version < 19 else "web_save_multi") == 1
