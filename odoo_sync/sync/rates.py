"""Odoo's own currency rates, for spending recorded in another currency than the company's.

Odoo converts with ``res.currency._get_rates``: per currency, the latest ``res.currency.rate`` dated on or before
the day, a rate of the company (its root company, for a branch) before a rate shared by all companies, and
``amount * (1 / (from_rate / to_rate))``. The same arithmetic here gives the same company-currency amounts, so
per-plan totals in Odoo match the source converted Odoo's way. Odoo falls back to a rate of 1.0 where none is
recorded; a silent 1:1 would put wrong money in finance's totals, so a foreign currency without a rate is a row
error instead (the company currency itself keeps Odoo's 1.0).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from odoo_sync.odoo.models import CURRENCY, CURRENCY_RATE

RateRows = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Rates:
    """One currency's rates: the company's own and the shared ones, each sorted by date."""

    currency_id: int
    own: tuple[tuple[str, float], ...] = ()
    shared: tuple[tuple[str, float], ...] = ()

    def on(self, day: str) -> float | None:
        """The rate Odoo uses on ``day`` (ISO date), or None when none is dated on or before it."""
        for series in (self.own, self.shared):  # ORDER BY company_id: the company's rates win over shared ones
            at = bisect.bisect_right(series, (day, float("inf")))
            if at:
                return series[at - 1][1]
        return None


@dataclass
class RateBook:
    """The rates of the currencies a run meets, read from Odoo once per currency and run.

    ``load(codes)`` answers ``{code: Rates}`` for the codes Odoo knows (active or not); a code it doesn't know
    stays missing and its lines are rejected naming it.
    """

    company_currency: str
    load: Callable[[list[str]], dict[str, Rates]]
    _known: dict[str, Rates | None] = field(default_factory=dict)

    def prepare(self, codes: Iterable[Any]) -> None:
        """Read the rates of the foreign currencies among ``codes`` not read yet (one batch of calls)."""
        wanted = {normalise(c) for c in codes} - {self.company_currency, ""} - set(self._known)
        if not wanted:
            return
        found = self.load(sorted(wanted))
        for code in wanted:
            self._known[code] = found.get(code)
        self._known.setdefault(self.company_currency, found.get(self.company_currency))

    def ready(self, codes: Iterable[Any]) -> bool:
        """Would ``prepare(codes)`` read nothing from Odoo (every foreign currency among them looked up)?"""
        return not ({normalise(c) for c in codes} - {self.company_currency, ""} - set(self._known))

    def knows(self, code: str) -> bool:
        return self._known.get(code) is not None

    def factor(self, code: str, day: str) -> float | None:
        """Multiply an amount in ``code`` by this to get the company currency (None: no rate on that day)."""
        rates, own = self._known.get(code), self._known.get(self.company_currency)
        from_rate = rates.on(day) if rates else None
        if from_rate is None or from_rate == 0:
            return None
        to_rate = (own.on(day) if own else None) or 1.0
        return 1 / (from_rate / to_rate)  # Odoo's inverse_rate, in the same float steps


def normalise(code: Any) -> str:
    return str(code or "").strip().upper()


def odoo_loader(search_read: Callable[..., RateRows], company_currency: str, rate_company_id: int) -> Any:
    """A ``RateBook.load`` reading ``res.currency`` and ``res.currency.rate`` through the hook (reads only)."""

    def load(codes: list[str]) -> dict[str, Rates]:
        currencies = search_read(
            CURRENCY, [("name", "in", [*codes, company_currency]), ("active", "in", [True, False])], ["id", "name"]
        )
        by_id = {int(c["id"]): str(c["name"]) for c in currencies}
        rows = search_read(
            CURRENCY_RATE,
            [("currency_id", "in", list(by_id)), ("company_id", "in", [rate_company_id, False])],
            ["name", "rate", "currency_id", "company_id"],
            order="name",
        )
        return {code: _series(cid, rows) for cid, code in by_id.items()}

    return load


def _series(currency_id: int, rows: RateRows) -> Rates:
    mine = [r for r in rows if _id(r["currency_id"]) == currency_id]
    own = tuple(sorted((str(r["name"]), float(r["rate"])) for r in mine if r.get("company_id")))
    shared = tuple(sorted((str(r["name"]), float(r["rate"])) for r in mine if not r.get("company_id")))
    return Rates(currency_id, own, shared)


def _id(value: Any) -> int:
    return int(value[0] if isinstance(value, list | tuple) else value)
