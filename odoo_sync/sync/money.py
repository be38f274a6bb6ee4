"""Amounts as Odoo keeps them: converted in Decimal, rounded the way a Monetary field rounds (pure).

Odoo stores a Monetary value as ``float_repr(currency.round(value), currency.decimal_places)``, where
``currency.round`` is ``float_round(value, precision_rounding=currency.rounding)``: half-up (away from zero) to a
multiple of the currency's rounding factor, after an epsilon that tips float ties like 0.18 * 1.25 =
0.22499999999999998 back to 0.225. The rounding factor is 0.01 for most currencies but may be 0.05 (Swiss cash
rounding) or anything finance sets; ``decimal_places`` only says how many digits are written. Here the amount
is exact (Decimal from end to end), so a tie is a tie without an epsilon, and the result is what Odoo stores for
it: writing it again leaves it unchanged.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

# Enough digits that a 1e12 amount times a rate read as a 17-digit float is exact before the one division.
_PRECISION = 60


def as_decimal(value: Any) -> Decimal:
    """A number read from Odoo (an XML-RPC double) or the source, as the decimal it was written as."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def step(decimals: int, rounding: Any = None) -> Decimal:
    """The currency's rounding factor; without one (not read from Odoo), one unit of its last decimal place."""
    factor = as_decimal(rounding) if rounding not in (None, False, 0) else Decimal(0)
    return factor if factor > 0 else Decimal(1).scaleb(-decimals)


def to_company(amount: Decimal, from_rate: Any, to_rate: Any) -> Decimal:
    """``amount`` converted as Odoo's ``_convert`` does (``amount * to_rate / from_rate``), unrounded.

    Multiplied first, divided last: 0.33 at 1.25 / 1.1 is exactly 0.375 (a tie), where dividing the rates first
    leaves 0.3749999... and rounds the wrong way.
    """
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return amount * as_decimal(to_rate) / as_decimal(from_rate)


def monetary(value: Decimal, decimals: int, rounding: Any = None) -> Decimal:
    """What Odoo stores for ``value`` in a Monetary field of a currency with this rounding and decimal places."""
    factor = step(decimals, rounding)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        steps = (value / factor).to_integral_value(ROUND_HALF_UP)
        exact = steps * factor
    places = Decimal(1).scaleb(-decimals)
    if exact == exact.quantize(places):
        return exact.quantize(places)
    # A factor with more digits than the places written (0.25, 1 place): Odoo prints its float, "%.1f" % 0.25 is 0.2.
    return Decimal(f"{float(steps) * float(factor):.{decimals}f}")
