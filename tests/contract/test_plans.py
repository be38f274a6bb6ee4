"""Analytic plans and their columns on analytic lines, plans' and accounts' life cycle."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_test_server import FakeOdoo
from tests.contract.conftest import ACCOUNT, LINE, PLAN, OdooTarget, names_required_field, since, until

pytestmark = pytest.mark.contract
ATTRS = ["string", "type", "relation", "required", "readonly", "store", "domain"]


def plan_columns(odoo: OdooTarget) -> dict[str, dict[str, Any]]:
    fields = odoo.call(LINE, "fields_get", attributes=ATTRS)
    return {k: v for k, v in fields.items() if k == "account_id" or k.startswith("x_plan")}


def test_seed_state_is_the_recorded_one(odoo: OdooTarget, fake: FakeOdoo, recorded_state: dict[str, Any]) -> None:
    plans = odoo.call(
        PLAN, "search_read", [], fields=["name", "parent_id", "root_id", "default_applicability"], order="id"
    )
    assert plans == recorded_state["plans"]
    assert (
        odoo.call("ir.config_parameter", "get_param", "analytic.project_plan")
        == recorded_state["analytic.project_plan"]
    )


def test_fields_get_matches_the_recording(
    odoo: OdooTarget, fake: FakeOdoo, recorded_fields: dict[str, dict[str, Any]]
) -> None:
    """Every field with the attributes recorded (18/19 were recorded without ``store`` and ``size``)."""
    for model, expected in recorded_fields.items():
        got = odoo.call(model, "fields_get", attributes=[*ATTRS, "size"])
        assert set(got) == set(expected), model
        assert {name: {k: got[name].get(k) for k in attrs} for name, attrs in expected.items()} == expected, model


def test_line_plan_columns_follow_plan_ids_and_the_project_plan(odoo: OdooTarget) -> None:
    project_plan = odoo.project_plan()
    roots = odoo.root_plans()
    expected = {("account_id" if p["id"] == project_plan else f"x_plan{p['id']}_id"): p for p in roots}
    columns = plan_columns(odoo)
    assert set(expected) <= set(columns)
    for name, plan in expected.items():
        assert columns[name] == {
            "domain": f"[('plan_id', 'child_of', {plan['id']})]",
            "readonly": False,
            "relation": ACCOUNT,
            "required": False,
            "store": True,
            "string": plan["name"],
            "type": "many2one",
        }


def test_fields_get_filters_by_name_and_attributes(odoo: OdooTarget) -> None:
    fields = odoo.call(LINE, "fields_get", ["name", "amount"], ["string", "type"])
    assert fields == {
        "name": {"string": "Description", "type": "char"},
        "amount": {"string": "Amount", "type": "monetary"},
    }


def test_a_new_root_plan_adds_its_column_a_child_plan_does_not(odoo: OdooTarget) -> None:
    root = odoo.create(PLAN, {"name": f"{odoo.prefix}Donor"})
    child = odoo.create(PLAN, {"name": f"{odoo.prefix}Sub", "parent_id": root})
    columns = plan_columns(odoo)
    assert columns[f"x_plan{root}_id"]["string"] == f"{odoo.prefix}Donor"
    assert f"x_plan{child}_id" not in columns
    odoo.call(PLAN, "write", [root], {"name": f"{odoo.prefix}Renamed"})
    assert plan_columns(odoo)[f"x_plan{root}_id"]["string"] == f"{odoo.prefix}Renamed"
    account = odoo.account(child, "sub")
    line = odoo.create(LINE, {"name": f"{odoo.prefix}l", f"x_plan{root}_id": account})
    assert odoo.call(LINE, "read", [line], [f"x_plan{root}_id"])[0][f"x_plan{root}_id"][0] == account


def test_reparenting_a_root_plan_drops_its_column_and_in_17_its_data(odoo: OdooTarget) -> None:
    """17 drops the column's data; 18 keeps it and shows it again when the plan is a root again."""
    first = odoo.create(PLAN, {"name": f"{odoo.prefix}first"})
    second = odoo.create(PLAN, {"name": f"{odoo.prefix}second"})
    account = odoo.account(first, "f")
    line = odoo.create(LINE, {"name": f"{odoo.prefix}l", f"x_plan{first}_id": account})
    odoo.call(PLAN, "write", [first], {"parent_id": second})
    assert f"x_plan{first}_id" not in plan_columns(odoo)
    assert odoo.call(ACCOUNT, "read", [account], ["root_plan_id"])[0]["root_plan_id"][0] == second
    odoo.call(PLAN, "write", [first], {"parent_id": False})
    kept = odoo.call(LINE, "read", [line], [f"x_plan{first}_id"])[0][f"x_plan{first}_id"]
    assert kept is False if odoo.version < 18 else kept[0] == account


def test_deleting_a_plan_removes_its_column(odoo: OdooTarget) -> None:
    plan = odoo.create(PLAN, {"name": f"{odoo.prefix}gone"})
    assert f"x_plan{plan}_id" in plan_columns(odoo)
    odoo.call(PLAN, "unlink", [plan])
    assert f"x_plan{plan}_id" not in plan_columns(odoo)
    fault = odoo.fault(LINE, "search", [(f"x_plan{plan}_id", "=", False)])
    assert fault.faultCode == 1 and f"Invalid field {LINE}.x_plan{plan}_id" in fault.faultString


def test_deleting_a_plan_that_has_accounts_is_refused(odoo: OdooTarget) -> None:
    plan = odoo.create(PLAN, {"name": f"{odoo.prefix}busy"})
    odoo.account(plan, "busy")
    fault = odoo.fault(PLAN, "unlink", [plan])
    assert fault.faultCode == 2
    assert fault.faultString.lower().startswith("the operation cannot be completed: another model ")
    assert f"x_plan{plan}_id" in plan_columns(odoo)


def test_deleting_an_account_empties_plan_columns_on_its_lines(odoo: OdooTarget) -> None:
    until(odoo, 18, "18 refuses to delete an account in use")
    plan_id, column = odoo.plan_column()
    account = odoo.account(plan_id, "del")
    line = odoo.create(LINE, {"name": f"{odoo.prefix}l", "ref": f"{odoo.prefix}l", column: account, "amount": 3.0})
    odoo.call(ACCOUNT, "unlink", [account])
    assert odoo.call(LINE, "read", [line], [column, "amount"]) == [{"id": line, column: False, "amount": 3.0}]


def test_deleting_an_account_in_use_is_refused(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    since(odoo, 18, "17 empties the plan columns of its lines")
    plan_id, column = odoo.plan_column()
    account = odoo.account(plan_id, "del")
    line = odoo.create(LINE, {"name": f"{odoo.prefix}l", "ref": f"{odoo.prefix}l", column: account, "amount": 3.0})
    fault = odoo.fault(ACCOUNT, "unlink", [account])
    assert fault.faultCode == 2 and f"({LINE})" in fault.faultString
    assert odoo.call(LINE, "read", [line], [column])[0][column][0] == account


def test_a_line_keeps_one_account_once_its_plan_columns_are_written(odoo: OdooTarget) -> None:
    since(odoo, 18, "17 accepts a line with every plan column empty")
    plan_id, column = odoo.plan_column()
    account = odoo.account(plan_id, "keep")
    assert odoo.fault(LINE, "create", {"name": f"{odoo.prefix}e", column: False}).faultString == (
        "At least one analytic account must be set"
    )
    line = odoo.create(LINE, {"name": f"{odoo.prefix}k", column: account})
    fault = odoo.fault(LINE, "write", [line], {column: False})
    assert (fault.faultCode, fault.faultString) == (2, "At least one analytic account must be set")
    assert isinstance(odoo.create(LINE, {"name": f"{odoo.prefix}none"}), int)  # no plan column written: fine
    batch = [{"name": f"{odoo.prefix}b1", column: account}, {"name": f"{odoo.prefix}b2"}]  # checked batch-wide
    assert odoo.fault(LINE, "create", batch).faultString == "At least one analytic account must be set"


def test_plan_without_name_is_refused(odoo: OdooTarget) -> None:
    fault = odoo.fault(PLAN, "create", {"description": "no name"})
    assert fault.faultCode == 2
    assert names_required_field(fault.faultString, "Name", "name") and "(account.analytic.plan)" in fault.faultString


def test_add_plan_and_set_param_without_rpc(fake: FakeOdoo) -> None:
    fake.reset_calls()
    plan = fake.add_plan("Extra")
    child = fake.add_plan("Extra child", parent_id=plan)
    assert f"x_plan{plan}_id" in fake.store.fields(LINE)
    assert fake.store.plan_columns[plan] == f"x_plan{plan}_id" and child not in fake.store.plan_columns
    assert fake.set_param("my.key", "v1") is False
    assert fake.set_param("my.key", "v2") == "v1"
    assert fake.get_param("my.key") == "v2"
    assert fake.calls == []
