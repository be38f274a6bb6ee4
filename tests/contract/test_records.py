"""create / write / unlink / read: return shapes, all-or-nothing batches, defaults, many2one values."""

from __future__ import annotations

import pytest

from odoo_test_server import FakeOdoo
from tests.contract.conftest import ACCOUNT, LINE, PLAN, OdooTarget, names_required_field

pytestmark = pytest.mark.contract


def _lines(odoo: OdooTarget, n: int, **extra: object) -> list[dict[str, object]]:
    return [{"name": f"{odoo.prefix}{i}", "ref": f"{odoo.prefix}{i}", "amount": float(i), **extra} for i in range(n)]


def test_create_one_returns_an_id_and_a_list_returns_ids_in_order(odoo: OdooTarget) -> None:
    single = odoo.create(LINE, _lines(odoo, 1)[0])
    assert isinstance(single, int)
    batch = odoo.create(LINE, _lines(odoo, 3, date="2024-03-01"))
    assert isinstance(batch, list) and len(batch) == 3 and batch == sorted(batch) and single not in batch
    rows = odoo.call(LINE, "read", batch, ["ref"])
    assert [r["ref"] for r in rows] == [f"{odoo.prefix}{i}" for i in range(3)]
    assert odoo.call(LINE, "create", []) == []


def test_a_batch_with_one_bad_record_stores_nothing(odoo: OdooTarget) -> None:
    vals = _lines(odoo, 5)
    vals[3] = {"ref": f"{odoo.prefix}bad", "amount": 1.0}  # no name
    fault = odoo.fault(LINE, "create", vals)
    assert fault.faultCode == 2
    assert odoo.call(LINE, "search_count", [("ref", "like", odoo.prefix)]) == 0


def test_a_batch_with_one_missing_many2one_stores_nothing(odoo: OdooTarget) -> None:
    vals = _lines(odoo, 4)
    vals[2]["account_id"] = 999999
    assert odoo.fault(LINE, "create", vals).faultCode == 2
    assert odoo.call(LINE, "search_count", [("ref", "like", odoo.prefix)]) == 0


def test_line_defaults(odoo: OdooTarget) -> None:
    line = odoo.create(LINE, {"name": f"{odoo.prefix}d"})
    row = odoo.call(LINE, "read", [line], ["company_id", "currency_id", "amount", "date", "user_id", "code"])[0]
    company = odoo.call("res.users", "read", [odoo.uid], ["company_id"])[0]["company_id"]
    currency = odoo.call("res.company", "read", [company[0]], ["currency_id"])[0]["currency_id"]
    assert row["company_id"] == company
    assert row["currency_id"] == currency
    assert row["amount"] == 0.0 and isinstance(row["date"], str) and len(row["date"]) == 10
    assert row["user_id"][0] == odoo.uid
    assert row["code"] is False


def test_line_code_is_cut_to_eight_characters(odoo: OdooTarget) -> None:
    line = odoo.create(LINE, {"name": f"{odoo.prefix}c", "code": "ABCDEFGHIJKL"})
    assert odoo.call(LINE, "read", [line], ["code"])[0]["code"] == "ABCDEFGH"


def test_amount_is_rounded_to_the_currency_and_accepts_numeric_strings(odoo: OdooTarget) -> None:
    lines = odoo.create(
        LINE, [{"name": f"{odoo.prefix}a", "amount": "12.5"}, {"name": f"{odoo.prefix}b", "amount": 10.005}]
    )
    assert [r["amount"] for r in odoo.call(LINE, "read", lines, ["amount"])] == [12.5, 10.01]


def test_amount_is_rounded_as_float_round_rounds_a_float_just_under_a_tie(odoo: OdooTarget) -> None:
    """Odoo's float_round adds an epsilon: 0.18 * 1.25 (0.22499999999999998) is the tie 0.225 and becomes 0.23."""
    amounts = [0.18 * 1.25, -0.18 * 1.25, 1.005, 2.675]
    lines = odoo.create(LINE, [{"name": f"{odoo.prefix}{i}", "amount": a} for i, a in enumerate(amounts)])
    assert [r["amount"] for r in odoo.call(LINE, "read", lines, ["amount"])] == [0.23, -0.23, 1.01, 2.68]


def test_amount_is_a_multiple_of_the_currency_rounding_factor_of_the_line_company(fake: FakeOdoo) -> None:
    """A currency rounded to 0.05 keeps multiples of 0.05 (Monetary rounds with currency.rounding, not only
    decimal_places); a line of another company is rounded with that company's currency."""
    store = fake.store
    store.tables["res.currency"][1].update(rounding=0.05)
    (other,) = store.create("res.company", [{"name": "Other", "currency_id": 2}], 1)
    lines = store.create(LINE, [{"name": "a", "amount": 0.23}, {"name": "b", "amount": 0.23, "company_id": other}], 2)
    store.write(LINE, [lines[0]], {"amount": -0.075}, 2)
    assert [store.tables[LINE][i]["amount"] for i in lines] == [-0.1, 0.23]


def test_account_defaults_and_display_name(odoo: OdooTarget) -> None:
    plan_id, _ = odoo.plan_column()
    with_code = odoo.account(plan_id, "A1")
    without = odoo.create(ACCOUNT, {"name": f"{odoo.prefix}no code", "plan_id": plan_id})
    rows = odoo.call(ACCOUNT, "read", [with_code, without], ["active", "company_id", "display_name", "root_plan_id"])
    assert rows[0]["active"] is True and rows[0]["company_id"]
    assert rows[0]["display_name"] == f"[{odoo.prefix}A1] {odoo.prefix}A1"
    assert rows[1]["display_name"] == f"{odoo.prefix}no code"
    assert rows[0]["root_plan_id"][0] == plan_id


def test_account_needs_name_and_plan(odoo: OdooTarget) -> None:
    fault = odoo.fault(ACCOUNT, "create", {"name": f"{odoo.prefix}x"})
    assert fault.faultCode == 2
    assert names_required_field(fault.faultString, "Plan", "plan_id")
    assert "(account.analytic.account)" in fault.faultString


def test_many2one_reads_as_id_and_display_name(odoo: OdooTarget) -> None:
    plan_id, column = odoo.plan_column()
    account = odoo.account(plan_id, "M")
    line = odoo.create(LINE, {"name": f"{odoo.prefix}m", column: account})
    row = odoo.call(LINE, "read", [line], [column, "partner_id"])[0]
    assert row == {"id": line, column: [account, f"[{odoo.prefix}M] {odoo.prefix}M"], "partner_id": False}
    raw = odoo.call(LINE, "read", [line], [column], load=False)[0]
    assert raw[column] == account


def test_write_returns_true_and_changes_values(odoo: OdooTarget) -> None:
    lines = odoo.create(LINE, _lines(odoo, 2))
    assert odoo.call(LINE, "write", lines, {"amount": 7.25, "ref": f"{odoo.prefix}w"}) is True
    rows = odoo.call(LINE, "read", lines, ["amount", "ref"])
    assert {(r["amount"], r["ref"]) for r in rows} == {(7.25, f"{odoo.prefix}w")}


def test_write_a_required_field_to_false_is_refused(odoo: OdooTarget) -> None:
    line = odoo.create(LINE, _lines(odoo, 1)[0])
    fault = odoo.fault(LINE, "write", [line], {"name": False})
    assert fault.faultCode == 2 and names_required_field(fault.faultString, "Description", "name")


def test_unlink_returns_true_and_read_skips_missing_ids(odoo: OdooTarget) -> None:
    lines = odoo.create(LINE, _lines(odoo, 2))
    assert odoo.call(LINE, "unlink", [lines[0]]) is True
    assert [r["id"] for r in odoo.call(LINE, "read", [lines[0], lines[1]], ["name"])] == [lines[1]]
    assert odoo.existing(LINE, lines) == [lines[1]]


def test_read_without_fields_returns_every_field(odoo: OdooTarget) -> None:
    plan = odoo.project_plan()
    row = odoo.call(PLAN, "read", [plan])[0]
    fields = odoo.call(PLAN, "fields_get", attributes=["type"])
    assert set(row) == set(fields)
    assert row["id"] == plan and row["root_id"][0] == plan and row["parent_id"] is False
