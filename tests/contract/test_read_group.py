"""read_group: totals per plan column in Odoo 17's public result shape, as the drift check asks for them (eager, one
groupby, ``:sum``); formatted_read_group on 19. (Lazy groups, month grouping, several groupbys, orderby and named
aggregates are not modelled by the test server: their tests went with them.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.conftest import LINE, OdooTarget, last_line

pytestmark = pytest.mark.contract


@pytest.fixture
def totals(odoo: OdooTarget) -> dict[str, Any]:
    plan_id, column = odoo.plan_column()
    acc_a, acc_b = odoo.account(plan_id, "A"), odoo.account(plan_id, "B")
    amounts = [(acc_a, 10.10), (acc_a, 20.20), (acc_b, -5.05), (False, 1.0), (acc_b, 0.3), (acc_b, 0.1)]
    for i, (acc, amount) in enumerate(amounts):  # one call each: 18+ refuses a batch that leaves a line without
        vals = {  # an account once a plan column is written
            "name": f"{odoo.prefix}{i}",
            "ref": f"{odoo.prefix}{i}",
            "amount": amount,
            "date": "2024-01-10" if i < 3 else "2024-02-20",
        }
        odoo.create(LINE, {**vals, column: acc} if acc else vals)
    return {"column": column, "a": acc_a, "b": acc_b, "domain": [("ref", "=like", f"{odoo.prefix}%")]}


def test_sum_per_plan_column_eager(odoo: OdooTarget, totals: dict[str, Any]) -> None:
    col, domain = totals["column"], totals["domain"]
    groups = odoo.call(LINE, "read_group", domain, ["amount:sum"], [col], lazy=False)
    by_key = {(g[col][0] if g[col] else False): g for g in groups}
    assert set(by_key) == {totals["a"], totals["b"], False}
    a, b, none = by_key[totals["a"]], by_key[totals["b"]], by_key[False]
    assert (a["__count"], a["amount"]) == (2, 30.3)
    assert (b["__count"], b["amount"]) == (3, -4.65)
    assert (none["__count"], none["amount"]) == (1, 1.0)
    assert a[col] == [totals["a"], f"[{odoo.prefix}A] {odoo.prefix}A"]
    assert none[col] is False
    assert set(a) == {col, "__count", "amount", "__domain"}
    assert a["__domain"] == ["&", *[list(leaf) for leaf in domain], [col, "=", totals["a"]]]
    assert none["__domain"] == ["&", *[list(leaf) for leaf in domain], [col, "=", False]]
    assert [g[col] and g[col][0] for g in groups] == [
        totals["a"],
        totals["b"],
        False,
    ]  # account order, NULL last


def test_unknown_groupby_field(odoo: OdooTarget) -> None:
    fault = odoo.fault(LINE, "read_group", [], ["amount:sum"], ["nope"])
    assert fault.faultCode == 1
    assert (
        fault.faultString.strip().splitlines()[-1]
        == "ValueError: Invalid field 'nope' on model 'account.analytic.line'"
    )


def test_formatted_read_group_from_19(odoo: OdooTarget, totals: dict[str, Any]) -> None:
    """19's formatted_read_group(domain, groupby, aggregates): aggregates keyed by spec, ``__extra_domain``;
    17/18 have no such method (read_group still answers in 19, deprecated)."""
    col, domain = totals["column"], totals["domain"]
    if odoo.version < 19:
        fault = odoo.fault(LINE, "formatted_read_group", domain, [col], ["amount:sum"])
        assert fault.faultCode == 1 and "formatted_read_group" in last_line(fault.faultString)
        return
    groups = odoo.call(LINE, "formatted_read_group", domain, [col], ["amount:sum", "__count"])
    by_key = {(g[col][0] if g[col] else False): g for g in groups}
    assert (by_key[totals["a"]]["amount:sum"], by_key[totals["a"]]["__count"]) == (30.3, 2)
    assert by_key[False]["__extra_domain"] == [[col, "=", False]]
    assert set(by_key[totals["b"]]) == {col, "__extra_domain", "amount:sum", "__count"}
    assert odoo.call(LINE, "formatted_read_group", domain, [], ["amount:sum"]) == [
        {"__extra_domain": [[1, "=", 1]], "amount:sum": 26.65}
    ]
