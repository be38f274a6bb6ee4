"""Amounts as Odoo keeps them: conversions in Decimal, rounded as Odoo 17's float_round and Monetary field do.

The reference is ``odoo_test_server.convert.float_round``, Odoo 17's ``float_round`` float for float (checked here
against Odoo's own test cases); a line's amount must be what Odoo computes and stores for it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from odoo_sync.drift.report import compare_totals
from odoo_sync.sync.mapping import line_vals
from odoo_sync.sync.rates import RateBook, Rates
from odoo_test_server.convert import float_round
from tests.unit.test_mapping import TARGETS, row

D = Decimal
# Rates finance types in: terminating decimals whose products with a cent amount land on exact ties.
ROUND_RATES = (0.8, 1.25, 0.5, 2.0, 0.25, 4.0, 1.6, 0.625, 0.4, 2.5, 0.2, 5.0, 0.16, 0.32, 0.125, 8.0, 0.75, 1.5)
COMPANY_RATES = (1.0, 0.8, 1.25, 2.0)  # the company currency's own rate (1.0 unless it is not the base currency)


def odoo_amount(amount: str, from_rate: float, to_rate: float, rounding: float = 0.01, decimals: int = 2) -> float:
    """What Odoo computes and stores: ``_convert`` (amount * inverse rate, float_round), then Monetary's float_repr."""
    converted = float(amount) * (1 / (from_rate / to_rate))
    return float(f"{float_round(converted, rounding):.{decimals}f}")


def book(from_rate: float, to_rate: float = 1.0) -> RateBook:
    series = {"USD": Rates(2, own=(("2026-01-01", from_rate),)), "EUR": Rates(1, own=(("2026-01-01", to_rate),))}
    rates = RateBook("EUR", lambda codes: series)
    rates.prepare(["USD"])
    return rates


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [  # odoo/addons/base/tests/test_float.py (17.0), HALF-UP
        (2.674, 0.01, "2.67"),
        (2.675, 0.01, "2.68"),
        (-2.675, 0.01, "-2.68"),
        (0.0049, 0.01, "0.00"),
        (0.005, 0.01, "0.01"),
        (-0.005, 0.01, "-0.01"),
        (6.6 * 0.175, 0.01, "1.16"),
        (2.6735, 0.001, "2.674"),
        (-2.6745, 0.001, "-2.675"),
        (357.4555, 0.001, "357.456"),
        (457.4554, 0.001, "457.455"),
        (1.3, 0.5, "1.50"),  # float_round's docstring: steps of any size
        (0.18 * 1.25, 0.01, "0.23"),  # 0.22499999999999998: the epsilon makes it the tie it is
    ],
)
def test_the_reference_is_odoo_float_round(value: float, rounding: float, expected: str) -> None:
    digits = len(expected.partition(".")[2])
    assert f"{float_round(value, rounding):.{digits}f}" == expected


def test_a_converted_tie_rounds_half_up_as_odoo_rounds_it() -> None:
    """0.18 USD at 0.8 USD per EUR is 0.225 EUR: Odoo writes 0.23, a float product (0.22499999999999998) 0.22."""
    vals = line_vals(row(currency="USD", amount="0.18"), replace(TARGETS, rates=book(0.8)))
    assert vals["amount"] == -0.23
    assert vals["name"] == "Flight Kampala-Nairobi [0.18 USD]"


@pytest.mark.parametrize("to_rate", COMPANY_RATES)
def test_every_cent_amount_at_round_rates_is_the_amount_odoo_computes(to_rate: float) -> None:
    """Property over every cent to 10.00 and a stride of amounts to 100,000: Odoo's conversion, cent for cent."""
    wrong = []
    for from_rate in ROUND_RATES:
        targets = replace(TARGETS, rates=book(from_rate, to_rate))
        for cents in (*range(1, 1001), *range(1001, 10_000_000, 9973)):
            amount = str(D(cents).scaleb(-2))
            got = -line_vals(row(currency="USD", amount=amount), targets)["amount"]
            if got != odoo_amount(amount, from_rate, to_rate):
                wrong.append((amount, from_rate, got, odoo_amount(amount, from_rate, to_rate)))
    assert not wrong, f"{len(wrong)} amounts unlike Odoo's, e.g. (amount, rate, ours, Odoo's): {wrong[:5]}"


def test_a_currency_rounded_to_005_gets_amounts_odoo_stores_unchanged() -> None:
    """A rounding factor of 0.05 (Swiss cash rounding, or set by finance): Odoo keeps multiples of 0.05, so the
    line's amount (what the records say Odoo holds) must be one, or Odoo stores another amount than ours."""
    chf = replace(TARGETS, currency="CHF", rounding=D("0.05"))
    assert [line_vals(row(currency="CHF", amount=a), chf)["amount"] for a in ("0.23", "0.22", "0.225", "-0.075")] == [
        -0.25,
        -0.2,
        -0.25,
        0.1,  # a refund: half away from zero, as Odoo
    ]
    chf_rates = RateBook("CHF", lambda codes: {"USD": Rates(2, own=(("2026-01-01", 0.8),)), "CHF": Rates(1)})
    chf_rates.prepare(["USD"])
    assert line_vals(row(currency="USD", amount="0.18"), replace(chf, rates=chf_rates))["amount"] == -0.25  # 0.225


@pytest.mark.parametrize(
    ("rounding", "decimals"), [(0.05, 2), (0.01, 2), (0.001, 3), (0.1, 1), (0.5, 1), (1.0, 0), (0.25, 1), (0.025, 2)]
)
def test_what_the_sync_writes_odoo_stores_as_it_is(rounding: float, decimals: int) -> None:
    """Property: Odoo's Monetary rounding of the amount written is that amount (no write ever drifts)."""
    targets = replace(TARGETS, decimals=decimals, rounding=D(repr(rounding)))
    wrong = []
    for cents in (*range(-1000, 1001), *range(1001, 10_000_000, 9973)):
        written = line_vals(row(amount=str(D(cents).scaleb(-2))), targets)["amount"]
        stored = float(f"{float_round(written, rounding):.{decimals}f}")
        if stored != written or written != odoo_amount(str(D(-cents).scaleb(-2)), 1.0, 1.0, rounding, decimals):
            wrong.append((cents, written, stored))
    assert not wrong, wrong[:5]


def test_the_drift_check_compares_totals_at_the_currency_rounding() -> None:
    """Totals of 0.05-rounded amounts, and Odoo's sum of them as a float, compare equal at that rounding."""
    lines = [D("-0.25"), D("-0.10"), D("-1.15")]
    source = {("project", 1): sum(lines, D(0))}
    odoo = {("project", 1): D(repr(-0.25 + -0.1 + -1.15))}  # -1.5 (a float sum may carry 1e-16 noise)
    assert compare_totals(source, source, odoo, {}, decimals=2, rounding=0.05) == []
    moved = compare_totals(source, source, {("project", 1): D("-1.45")}, {}, decimals=2, rounding=0.05)
    assert [(d.source, d.odoo, d.cause) for d in moved] == [(D("-1.50"), D("-1.45"), "hand")]
