"""Writing values that differ per record in one call, the two ways besides ``load`` the sync uses (issue 20):
UPDATE commands through an analytic account's ``line_ids`` (Odoo 17 and 18) and ``web_save_multi`` (Odoo 19+).
Each writes every line by its id, keeps ids, and is all or nothing."""

from __future__ import annotations

import xmlrpc.client
from typing import Any

import pytest

from odoo_test_server import FakeOdoo
from tests.contract.conftest import ACCOUNT, LINE, OdooTarget, since, until

pytestmark = pytest.mark.contract
UNKNOWN_ID = 999999999


def _account_with_lines(odoo: OdooTarget, n: int) -> tuple[int, list[int]]:
    account = odoo.account(odoo.project_plan(), "PRW")
    vals = [{"name": f"{odoo.prefix}{i}", "amount": float(i), "account_id": account} for i in range(n)]
    return account, list(odoo.create(LINE, vals))


def _amounts(odoo: OdooTarget, ids: list[int]) -> list[float]:
    return [row["amount"] for row in odoo.call(LINE, "read", ids, ["amount"])]


def test_update_commands_through_the_account_write_each_line_by_id(odoo: OdooTarget) -> None:
    account, ids = _account_with_lines(odoo, 3)
    commands = [[1, rid, {"amount": -2.5 - i, "name": f"{odoo.prefix}U{i}"}] for i, rid in enumerate(ids)]
    assert odoo.call(ACCOUNT, "write", [account], {"line_ids": commands}) is True
    rows = odoo.call(LINE, "read", ids, ["amount", "name", "account_id"])
    assert [(r["id"], r["amount"], r["name"], r["account_id"][0]) for r in rows] == [
        (rid, -2.5 - i, f"{odoo.prefix}U{i}", account) for i, rid in enumerate(ids)
    ]
    assert odoo.call(ACCOUNT, "read", [account], ["name"])[0]["name"] == f"{odoo.prefix}PRW"


def test_update_commands_through_one_account_write_lines_on_other_accounts_and_leave_them_there(
    odoo: OdooTarget,
) -> None:
    """The writer sends a call's per-line values through the first line's account, whatever the others'."""
    carrier, mine = _account_with_lines(odoo, 1)
    other = odoo.account(odoo.project_plan(), "PRX")
    vals = [{"name": f"{odoo.prefix}X{i}", "amount": 0.0, "account_id": other} for i in range(2)]
    theirs = list(odoo.create(LINE, vals))
    ids = mine + theirs
    commands = [[1, rid, {"amount": -10.0 - i}] for i, rid in enumerate(ids)]
    assert odoo.call(ACCOUNT, "write", [carrier], {"line_ids": commands}) is True
    rows = odoo.call(LINE, "read", ids, ["amount", "account_id"])
    assert [(r["id"], r["amount"], r["account_id"][0]) for r in rows] == [
        (mine[0], -10.0, carrier),
        (theirs[0], -11.0, other),
        (theirs[1], -12.0, other),
    ]


def test_one_unknown_line_among_the_commands_writes_none(odoo: OdooTarget) -> None:
    account, ids = _account_with_lines(odoo, 2)
    commands = [[1, ids[0], {"amount": 50.0}], [1, UNKNOWN_ID, {"amount": 60.0}], [1, ids[1], {"amount": 70.0}]]
    fault = odoo.fault(ACCOUNT, "write", [account], {"line_ids": commands})
    assert "does not exist or has been deleted" in fault.faultString
    assert _amounts(odoo, ids) == [0.0, 1.0]


def test_a_constraint_on_one_line_rolls_back_every_line(odoo: OdooTarget, fake: FakeOdoo) -> None:
    account, ids = _account_with_lines(odoo, 3)
    fake.fail_record = lambda model, vals: "too much" if vals.get("amount") == 99.0 else None
    commands = [[1, ids[0], {"amount": 7.0}], [1, ids[1], {"amount": 99.0}], [1, ids[2], {"amount": 8.0}]]
    fault = odoo.fault(ACCOUNT, "write", [account], {"line_ids": commands})
    assert "too much" in fault.faultString
    assert _amounts(odoo, ids) == [0.0, 1.0, 2.0]


def test_web_save_multi_writes_each_record_with_its_values(odoo: OdooTarget) -> None:
    since(odoo, 19, "web_save_multi is Odoo 19's")
    _, ids = _account_with_lines(odoo, 3)
    vals = [{"amount": -4.25 - i, "name": f"{odoo.prefix}W{i}"} for i in range(3)]
    assert odoo.call(LINE, "web_save_multi", ids, vals, {}) == [{"id": rid} for rid in ids]
    assert _amounts(odoo, ids) == [-4.25, -5.25, -6.25]


def test_web_save_multi_with_one_unknown_record_writes_none(odoo: OdooTarget) -> None:
    since(odoo, 19, "web_save_multi is Odoo 19's")
    _, ids = _account_with_lines(odoo, 2)
    fault = odoo.fault(LINE, "web_save_multi", [ids[0], UNKNOWN_ID, ids[1]], [{"amount": 5.0}] * 3, {})
    assert "does not exist or has been deleted" in fault.faultString
    assert _amounts(odoo, ids) == [0.0, 1.0]


def test_before_19_there_is_no_web_save_multi(odoo: OdooTarget) -> None:
    until(odoo, 19, "web_save_multi came with Odoo 19")
    _, ids = _account_with_lines(odoo, 1)
    fault: Any = odoo.fault(LINE, "web_save_multi", ids, [{"amount": 5.0}], {})
    assert isinstance(fault, xmlrpc.client.Fault) and "web_save_multi" in fault.faultString
    assert _amounts(odoo, ids) == [0.0]
