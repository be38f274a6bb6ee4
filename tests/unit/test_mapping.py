"""Source rows to Odoo values: validation names tenant, entity, id and field; costs are negative."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from odoo_sync.store.records import PRESENT, RecordState
from odoo_sync.sync.lines import SPEC, desired_line
from odoo_sync.sync.mapping import LineTargets, RowError, line_vals, project_of
from odoo_sync.sync.planner import Desired, plan, values_hash
from odoo_sync.sync.rates import RateBook, Rates

TARGETS = LineTargets(
    tenant_id="acme",
    currency="EUR",
    project_column="account_id",
    category_column="x_plan3_id",
    budget_line_column="x_plan4_id",
    project_accounts={"PRJ-001": 11},
    category_accounts={"HR": 21, "TRV": 22},
    budget_line_accounts={"PRJ-001/1.1.1.a": (31, "HR"), "PRJ-001/2.1": (32, "TRV")},
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
    vals = line_vals(row(), TARGETS)
    assert vals == {
        "name": "Flight Kampala-Nairobi",
        "date": "2026-03-02",
        "amount": -412.5,
        "account_id": 11,
        "x_plan3_id": 22,
        "x_plan4_id": 32,
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
        line_vals(row(**overrides), TARGETS)
    assert err.value.field == field
    assert str(err.value).startswith(f"tenant acme: line 'SL-1': field {field}:")


@pytest.mark.parametrize("text", ["Перелёт Кампала", "رحلة طيران", "航班 坎帕拉", "Voo 🚀 Lisboa", "tab\tand\nnewline"])
def test_text_in_any_script_is_synced_as_is(text: str) -> None:
    assert line_vals(row(description=text), TARGETS)["name"] == text


def written(entity_id: str, odoo_id: int, r: dict, generation: int = 1, writes: int = 0) -> RecordState:
    """A record as the sync leaves it after writing ``r``."""
    vals = {
        **line_vals(r, TARGETS),
        "ref": f"acme:line:{entity_id}:" + ("create" if generation == 1 else f"create-g{generation}"),
    }
    return RecordState(entity_id, odoo_id, PRESENT, generation, writes, values_hash(vals), vals, "PRJ-001/2.1")


def plan_rows(rows: list[dict], states: dict[str, RecordState]):
    return plan(SPEC, "acme", [desired_line(r, TARGETS) for r in rows], states)


def test_plan_decides_by_content_create_write_unlink_recreate_reject() -> None:
    states = {
        "SL-2": written("SL-2", 102, row(id="SL-2")),
        "SL-3": written("SL-3", 103, row(id="SL-3")),
        "SL-6": written("SL-6", 106, row(id="SL-6")),
        "SL-7": RecordState("SL-7", None, "absent", 1, 0, parent="PRJ-001/2.1"),  # voided earlier, restored now
    }
    rows = [
        row(id="SL-1"),  # new -> create
        row(id="SL-2", revision=3, amount="10"),  # values differ -> one write of the changed field
        row(id="SL-3", status="void"),  # present -> unlink
        row(id="SL-4", status="void"),  # never created here -> known, nothing sent
        row(id="SL-5", amount="oops"),  # rejected
        row(id="SL-6", revision=9),  # new revision, same values -> nothing
        row(id="SL-7"),  # restored -> created again under the key's next generation
        row(id="SL:8"),  # ':' in an id cannot make a key -> rejected on id
    ]
    p = plan_rows(rows, states)
    assert [(str(c.key), c.vals["ref"]) for c in p.creates] == [
        ("acme:line:SL-1:create", "acme:line:SL-1:create"),
        ("acme:line:SL-7:create-g2", "acme:line:SL-7:create-g2"),
    ]
    assert [(w.after.odoo_id, w.vals) for w in p.writes] == [(102, {"amount": -10.0})]
    assert str(p.writes[0].key).startswith("acme:line:SL-2:write-1-")
    assert [(str(u.key), u.before.odoo_id) for u in p.removals] == [("acme:line:SL-3:unlink", 103)]
    assert p.unchanged == 2  # SL-4 (void, nothing in Odoo) and SL-6
    assert [
        (r.entity_id, "field " + f in (r.error or "")) for r, f in zip(p.rejected, ["amount", "id"], strict=True)
    ] == [
        ("SL-5", True),
        ("SL:8", True),
    ]


def test_the_same_values_back_again_are_written_again() -> None:
    """A -> B -> A: the write key counts writes, so the return to A is not mistaken for done."""
    a, b = row(id="SL-1", amount="10"), row(id="SL-1", amount="20")
    first = plan_rows([b], {"SL-1": written("SL-1", 7, a)}).writes[0]
    second = plan_rows([a], {"SL-1": first.after}).writes[0]
    assert first.vals == {"amount": -20.0} and second.vals == {"amount": -10.0}
    assert str(first.key) != str(second.key) and second.after.writes == 2


def test_amounts_round_half_up_to_the_currency_decimals() -> None:
    assert line_vals(row(amount="0.125"), TARGETS)["amount"] == -0.13  # half-up, not half-even (0.12)
    assert line_vals(row(amount="2.675"), TARGETS)["amount"] == -2.68
    three_decimals = replace(TARGETS, decimals=3)  # e.g. KWD, TND
    assert line_vals(row(amount="1.2345"), three_decimals)["amount"] == -1.235
    assert line_vals(row(amount="1.2344"), three_decimals)["amount"] == -1.234


def test_a_row_deleted_while_rejected_is_settled_once() -> None:
    """Seen again only as gone: one saved state (in_source false, error cleared), nothing sent."""
    rejected = RecordState("SL-9", None, "absent", 0, 0, parent="PRJ-001/2.1", error="field amount: oops")
    p = plan(SPEC, "acme", [Desired("SL-9", None, gone=True)], {"SL-9": rejected})
    assert [(st.entity_id, st.in_source, st.error) for st in p.settled] == [("SL-9", False, None)]
    assert not (p.creates or p.writes or p.removals)


def _rates(**series: list[tuple[str, float]]) -> RateBook:
    book = RateBook(
        "EUR", lambda codes: {c: Rates(i, own=tuple(series[c])) for i, c in enumerate(codes) if c in series}
    )
    book.prepare(["USD", "GBP", "XYZ", "EUR"])
    return book


def test_another_currency_is_converted_at_the_rate_of_the_line_date_and_shown_in_the_label() -> None:
    targets = replace(TARGETS, rates=_rates(USD=[("2026-01-01", 1.1), ("2026-03-01", 1.25)]))
    early = line_vals(row(currency="usd", amount="110.00", date=date(2026, 2, 28)), targets)
    assert (early["amount"], early["name"]) == (-100.0, "Flight Kampala-Nairobi [110.00 USD]")
    assert line_vals(row(currency="USD", amount="100.00"), targets)["amount"] == -80.0  # 2026-03-02: 1.25
    assert line_vals(row(), targets)["name"] == "Flight Kampala-Nairobi"  # the company currency: as it is


@pytest.mark.parametrize(
    ("currency", "day", "problem"),
    [
        ("USD", date(2025, 12, 31), "Odoo has no USD rate dated on or before 2025-12-31"),
        ("XYZ", date(2026, 3, 2), "'XYZ' is not a currency Odoo knows"),
        ("", date(2026, 3, 2), "field currency: is missing"),
    ],
)
def test_a_conversion_that_cannot_be_made_is_a_row_error_naming_currency_and_date(currency, day, problem) -> None:
    targets = replace(TARGETS, rates=_rates(USD=[("2026-01-01", 1.1)]))
    with pytest.raises(RowError, match="tenant acme: line 'SL-1': field currency") as info:
        line_vals(row(currency=currency, date=day), targets)
    assert problem in str(info.value)


def test_the_company_own_rates_come_before_shared_ones_as_in_odoo() -> None:
    rates = Rates(2, own=(("2026-01-01", 2.0),), shared=(("2026-02-01", 4.0),))
    assert rates.on("2026-03-01") == 2.0  # ORDER BY company_id puts the company's rate first, whatever its date
    assert Rates(2, shared=(("2026-02-01", 4.0),)).on("2026-03-01") == 4.0
    assert Rates(2, shared=(("2026-02-01", 4.0),)).on("2026-01-31") is None


def test_a_tenant_pinned_to_a_company_puts_it_on_every_line() -> None:
    assert line_vals(row(), replace(TARGETS, company_id=3))["company_id"] == 3
    assert "company_id" not in line_vals(row(), TARGETS)  # unpinned: Odoo's default, the user's company


@pytest.mark.parametrize("status", ["VOID", "cancelled", "Posted", "", None])
def test_a_status_other_than_posted_or_void_is_a_row_error_and_odoo_keeps_the_line(status: object) -> None:
    states = {"SL-3": written("SL-3", 103, row(id="SL-3"))}
    p = plan_rows([row(id="SL-3", status=status, amount="99.00")], states)
    assert (p.creates, p.writes, p.removals) == ([], [], [])  # neither removed (as void) nor rewritten (as posted)
    assert [r.entity_id for r in p.rejected] == ["SL-3"]
    assert f"line 'SL-3': field status: {status!r} is neither 'posted' nor 'void'" in (p.rejected[0].error or "")


@pytest.mark.parametrize(
    ("detail", "projects", "project"),
    [
        ("PRJ-001/1.1.1.a", {"PRJ-001"}, "PRJ-001"),
        ("2026/01/1.1", {"2026/01", "PRJ-001"}, "2026/01"),  # the project code holds "/"
        ("2026/01/1.1", {"2026", "2026/01"}, "2026/01"),  # the longest known code wins
        ("PRJ-9/1.1", set(), "PRJ-9"),  # unknown: up to the first "/"
    ],
)
def test_a_budget_line_code_splits_at_its_known_project(detail: str, projects: set[str], project: str) -> None:
    assert project_of(detail, projects) == project
