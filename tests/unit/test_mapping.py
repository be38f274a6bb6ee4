"""Source rows to Odoo values: validation names tenant, entity, id and field; costs are negative."""

from __future__ import annotations

from datetime import date

import pytest

from odoo_sync.mapping import LineTargets, RowError, line_vals
from odoo_sync.sync.lines import plan_lines

TARGETS = LineTargets(
    tenant_id="acme",
    currency="EUR",
    project_column="account_id",
    budget_line_column="x_plan3_id",
    budget_detail_column="x_plan4_id",
    project_accounts={"PRJ-001": 11},
    category_accounts={"HR": 21, "TRV": 22},
    detail_accounts={"PRJ-001/1.1.1.a": (31, "HR"), "PRJ-001/2.1": (32, "TRV")},
    max_description_chars=200,
)


def row(**overrides: object) -> dict[str, object]:
    base = {
        "id": "SL-1",
        "project_code": "PRJ-001",
        "budget_line_code": "2.1",
        "date": date(2026, 3, 2),
        "description": "Flight Kampala-Nairobi",
        "amount": "412.50",
        "currency": "EUR",
        "status": "posted",
        "revision": 1,
    }
    return base | overrides


def test_a_line_carries_one_account_of_each_plan_and_a_negative_cost() -> None:
    vals = line_vals(row(), TARGETS, "acme:line:SL-1:create")
    assert vals == {
        "name": "Flight Kampala-Nairobi",
        "date": "2026-03-02",
        "amount": -412.5,
        "account_id": 11,
        "x_plan3_id": 22,
        "x_plan4_id": 32,
        "ref": "acme:line:SL-1:create",
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"project_code": "PRJ-404"}, "project_code"),
        ({"budget_line_code": "9.9"}, "budget_line_code"),
        ({"date": None}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": date(1900, 1, 1)}, "date"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "inf"}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": "1e15"}, "amount"),
        ({"currency": "UGX"}, "currency"),
        ({"description": "x" * 10_000}, "description"),
        ({"description": "  "}, "description"),
        ({"description": "bell\x07"}, "description"),
    ],
)
def test_bad_rows_are_rejected_naming_tenant_entity_id_and_field(overrides: dict, field: str) -> None:
    with pytest.raises(RowError) as err:
        line_vals(row(**overrides), TARGETS, "k")
    assert err.value.field == field
    assert str(err.value).startswith(f"tenant acme: line 'SL-1': field {field}:")


@pytest.mark.parametrize("text", ["Перелёт Кампала", "رحلة طيران", "航班 坎帕拉", "Voo 🚀 Lisboa", "tab\tand\nnewline"])
def test_text_in_any_script_is_synced_as_is(text: str) -> None:
    assert line_vals(row(description=text), TARGETS, "k")["name"] == text


def test_plan_decides_create_write_unlink_reject_and_not_ours() -> None:
    rows = [
        row(id="SL-1"),  # new -> create
        row(id="SL-2", revision=3, amount="10"),  # known -> write-r3
        row(id="SL-3", status="void"),  # known -> unlink
        row(id="SL-4", status="void"),  # never created here -> reported only
        row(id="SL-5", amount="oops"),  # rejected
        row(id="SL:6"),  # ':' in an id cannot make a key -> rejected on id
    ]
    plan = plan_lines(rows, TARGETS, {"SL-2": 102, "SL-3": 103})
    assert [str(c.key) for c in plan.creates] == ["acme:line:SL-1:create"]
    assert str(plan.revisions["acme:line:SL-1:create"]) == "acme:line:SL-1:write-r1"
    assert [(str(w.key), w.odoo_id, w.vals["amount"]) for w in plan.writes] == [("acme:line:SL-2:write-r3", 102, -10.0)]
    assert [(str(u.key), u.odoo_id) for u in plan.unlinks] == [("acme:line:SL-3:unlink", 103)]
    assert plan.not_ours == ["SL-4"]
    assert [
        (e.entity_id, "field " + f in msg) for (e, msg), f in zip(plan.rejected, ["amount", "id"], strict=True)
    ] == [("SL-5", True), ("SL:6", True)]
