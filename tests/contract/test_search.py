"""Domains: operators, prefix logic, archived records, order/limit/offset. (Paths through a many2one, such as
``x_plan2_id.code``, are not modelled by the test server: nothing sends one.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.conftest import ACCOUNT, LINE, PLAN, OdooTarget, last_line, recorded_last_line

pytestmark = pytest.mark.contract


@pytest.fixture
def data(odoo: OdooTarget) -> dict[str, Any]:
    """Two accounts in a plan column, five lines with refs <prefix>0..4 (amounts 0..4)."""
    plan_id, column = odoo.plan_column()
    acc_a, acc_b = odoo.account(plan_id, "A"), odoo.account(plan_id, "B")
    lines = [  # one call each: from 18 a batch writing a plan column refuses a line left without account
        odoo.create(
            LINE,
            {
                "name": f"{odoo.prefix}n{i}",
                "ref": f"{odoo.prefix}{i}",
                "amount": float(i),
                "date": f"2024-0{i + 1}-15",
                "code": ["X", "x", False, "Y", "X"][i],
                **({column: acc} if (acc := [acc_a, acc_b, False, acc_a, acc_b][i]) else {}),
            },
        )
        for i in range(5)
    ]
    return {"column": column, "plan": plan_id, "a": acc_a, "b": acc_b, "lines": lines}


def refs(odoo: OdooTarget, domain: list[Any], **kw: Any) -> list[str]:
    mine = [("ref", "=like", f"{odoo.prefix}%")]
    rows = odoo.call(LINE, "search_read", mine + domain, fields=["ref"], order=kw.pop("order", "id"), **kw)
    return [r["ref"].removeprefix(odoo.prefix) for r in rows]


def test_comparison_operators(odoo: OdooTarget, data: dict[str, Any]) -> None:
    assert refs(odoo, [("amount", ">", 2)]) == ["3", "4"]
    assert refs(odoo, [("amount", "<=", 1)]) == ["0", "1"]
    assert refs(odoo, [("amount", "!=", 2)]) == ["0", "1", "3", "4"]
    assert refs(odoo, [("date", ">=", "2024-03-01"), ("date", "<", "2024-05-01")]) == ["2", "3"]


def test_in_and_not_in_and_null_rules(odoo: OdooTarget, data: dict[str, Any]) -> None:
    col, a = data["column"], data["a"]
    assert refs(odoo, [(col, "in", [a])]) == ["0", "3"]
    assert refs(odoo, [(col, "in", [a, False])]) == ["0", "2", "3"]
    assert refs(odoo, [(col, "not in", [a])]) == ["1", "2", "4"]  # NULL counts as "not in"
    assert refs(odoo, [(col, "=", False)]) == ["2"]
    assert refs(odoo, [(col, "!=", False)]) == ["0", "1", "3", "4"]
    assert refs(odoo, [(col, "!=", a)]) == ["1", "2", "4"]
    assert refs(odoo, [("ref", "in", [])]) == []


def test_like_family(odoo: OdooTarget, data: dict[str, Any]) -> None:
    """``like`` (case-sensitive, wrapped in '%') and ``=like`` (a pattern as given); ilike, not like, not ilike and
    =ilike are not modelled by the test server (nothing sends them): their assertions went with them."""
    assert refs(odoo, [("code", "=", "X")]) == ["0", "4"]
    assert refs(odoo, [("code", "like", "x")]) == ["1"]
    assert refs(odoo, [("name", "=like", f"{odoo.prefix}n_")]) == ["0", "1", "2", "3", "4"]


def test_prefix_operators(odoo: OdooTarget, data: dict[str, Any]) -> None:
    assert refs(odoo, ["|", ("amount", "=", 0), ("amount", "=", 4)]) == ["0", "4"]
    assert refs(odoo, ["!", ("amount", "<", 3)]) == ["3", "4"]
    assert refs(odoo, ["&", ("amount", ">", 0), "|", ("code", "=", "X"), ("code", "=", "Y")]) == ["3", "4"]
    assert refs(odoo, ["!", "|", ("code", "=", "X"), ("code", "=", False)]) == ["1", "3"]


def test_archived_records_are_hidden_unless_the_domain_says_active(odoo: OdooTarget, data: dict[str, Any]) -> None:
    odoo.call(ACCOUNT, "write", [data["b"]], {"active": False})
    mine = [("code", "=like", f"{odoo.prefix}%")]
    assert odoo.call(ACCOUNT, "search", mine) == [data["a"]]
    assert sorted(odoo.call(ACCOUNT, "search", [*mine, ("active", "in", [True, False])])) == sorted(
        [data["a"], data["b"]]
    )
    assert odoo.call(ACCOUNT, "search", [*mine, ("active", "=", False)]) == [data["b"]]
    assert sorted(odoo.call(ACCOUNT, "search", mine, context={"active_test": False})) == sorted([data["a"], data["b"]])
    assert odoo.call(ACCOUNT, "read", [data["b"]], ["active"])[0]["active"] is False  # read ignores active


def test_search_count_order_limit_offset(odoo: OdooTarget, data: dict[str, Any]) -> None:
    mine = [("ref", "=like", f"{odoo.prefix}%")]
    assert odoo.call(LINE, "search_count", mine) == 5
    assert refs(odoo, [], order="amount desc", limit=2) == ["4", "3"]
    assert refs(odoo, [], order="amount desc", limit=2, offset=2) == ["2", "1"]
    assert odoo.call(LINE, "search", mine, 0, 0, "id") == data["lines"]  # limit 0 means no limit
    assert refs(odoo, [], order=False) == ["4", "3", "2", "1", "0"]  # _order: date desc, id desc
    assert refs(odoo, [], order=f"{data['column']}, id") == ["0", "3", "1", "4", "2"]


def test_bad_order_is_refused(odoo: OdooTarget) -> None:
    """A malformed order is a UserError (fault 2, message only), checked by _order_to_sql."""
    for method, args in (("search", ()), ("search_read", (["name"],))):
        fault = odoo.fault(LINE, method, [], *args, order="amount; drop table")
        assert (fault.faultCode, fault.faultString) == (
            2,
            'Invalid "order" specified (amount; drop table). A valid "order" specification is a '
            "comma-separated list of valid field names (optionally followed by asc/desc for the direction)",
        )


BAD_ORDER = 'Invalid "order" specified ({}). A valid "order" specification is a comma-separated list of valid field \
names (optionally followed by asc/desc for the direction)'


@pytest.mark.parametrize(
    ("order", "answers"),
    [
        ("nope", {17: (1, "ValueError: Invalid field 'nope' on model 'account.analytic.line'")}),
        (
            '"amount" desc',
            {
                17: (1, "ValueError: Invalid field '\"amount\"' on model 'account.analytic.line'"),
                19: (2, BAD_ORDER.format('"amount" desc')),
            },
        ),
        (
            "account_id.id",
            {17: (1, "ValueError: Order a property ('id') on a non-properties field ('account_id')"), 18: None},
        ),
        # 17: _flush_search's order_part.split()[0]; 18: the order's syntax check
        ("amount,", {17: (1, "IndexError: list index out of range"), 18: (2, BAD_ORDER.format("amount,"))}),
    ],
)
def test_order_errors(odoo: OdooTarget, order: str, answers: dict[int, tuple[int, str] | None]) -> None:
    """Each version's answer (the newest entry not after the server's version; None: no error)."""
    expected = answers[max(v for v in answers if v <= odoo.version)]
    domain = [("ref", "=", f"{odoo.prefix}none")]
    if expected is None:
        assert odoo.call(LINE, "search", domain, order=order) == []
        return
    fault = odoo.fault(LINE, "search", domain, order=order)
    text = last_line(fault.faultString) if fault.faultCode == 1 else fault.faultString
    assert (fault.faultCode, text) == expected


def test_order_quirks_that_are_no_error(odoo: OdooTarget, data: dict[str, Any]) -> None:
    """A ':func' suffix is ignored; a non-stored field in the order is skipped by 17 (it only logs a
    warning), refused by 18."""
    assert refs(odoo, [], order="amount:sum desc") == ["4", "3", "2", "1", "0"]
    assert refs(odoo, [], order=f"{data['column']} desc nulls last, id") == ["1", "4", "0", "3", "2"]
    if odoo.version < 18:
        assert refs(odoo, [], order="display_name, amount desc") == ["4", "3", "2", "1", "0"]
        assert odoo.call(ACCOUNT, "search", [("id", "=", data["a"])], order="balance") == [data["a"]]
        return
    for model, order in ((LINE, "display_name, amount desc"), (ACCOUNT, "balance")):
        fault = odoo.fault(model, "search", [("id", "=", data["a"])], order=order)
        field = order.split(",")[0].split()[0]
        assert last_line(fault.faultString) == (
            f"ValueError: Cannot convert {model}.{field} to SQL because it is not stored"
        )


def test_order_is_checked_after_the_domain(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    fault = odoo.fault(LINE, "search", [("nope", "=", 1)], order="amount; x")
    assert last_line(fault.faultString) == recorded_last_line(recorded_faults["unknown field in domain"])


def test_a_trivially_false_domain_is_not_checked(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    """expression.is_false: ('id', 'in', []) (or (0, '=', 1)) AND anything finds nothing without checking
    the rest of the domain, the order or (search_read) the field names until they are formatted (17/18: a
    bare KeyError; 19 checks the names first)."""
    bad_leaf = recorded_last_line(recorded_faults["unknown field in domain"])
    bad_name = recorded_last_line(recorded_faults["unknown field in read fields"])
    bad = [("id", "in", []), ("nope", "=", 1)]
    assert odoo.call(LINE, "search", bad, order="amount; x") == []
    assert odoo.call(LINE, "search", [(0, "=", 1), ("nope", "=", 1)]) == []
    assert odoo.call(LINE, "search", ["!", ("id", "not in", []), ("nope", "=", 1)]) == []
    assert odoo.call(LINE, "search_count", bad) == 0
    assert odoo.call(LINE, "search_read", bad, ["name"]) == []
    assert odoo.call(LINE, "read_group", bad, ["amount:sum"], ["account_id"], lazy=False) == []
    fault = odoo.fault(LINE, "search", ["|", ("id", "in", []), ("nope", "=", 1)])  # not trivially false
    assert last_line(fault.faultString) == bad_leaf
    empty_reads: list[tuple[str, list[Any]]] = [
        ("search_read", [[("id", "in", [])], ["nope"]]),
        ("read", [[], ["nope"]]),
    ]
    for method, args in empty_reads:
        fault = odoo.fault(LINE, method, *args)
        assert fault.faultCode == 1 and last_line(fault.faultString) == (
            "KeyError: 'nope'" if odoo.version < 19 else bad_name
        )
    fault = odoo.fault(LINE, "read", [999999], ["nope"])
    assert last_line(fault.faultString) == bad_name


def test_nested_plans_know_their_root(odoo: OdooTarget) -> None:
    """(The child_of / parent_of searches this test also made are gone with the operators: nothing sends them.)"""
    root = odoo.create(PLAN, {"name": f"{odoo.prefix}root"})
    child = odoo.create(PLAN, {"name": f"{odoo.prefix}child", "parent_id": root})
    grandchild = odoo.create(PLAN, {"name": f"{odoo.prefix}grandchild", "parent_id": child})
    acc = odoo.account(grandchild, "deep")
    row = odoo.call(PLAN, "read", [grandchild], ["complete_name", "root_id", "display_name"])[0]
    assert (
        row["complete_name"]
        == row["display_name"]
        == f"{odoo.prefix}root / {odoo.prefix}child / {odoo.prefix}grandchild"
    )
    assert row["root_id"][0] == root
    assert odoo.call(ACCOUNT, "read", [acc], ["root_plan_id"])[0]["root_plan_id"][0] == root
