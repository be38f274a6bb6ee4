"""Odoo's own currency rates, for spending recorded in another currency than the company's.

Odoo converts with ``res.currency._get_rates``: per currency, the latest ``res.currency.rate`` dated on or before
the day, a rate of the company (its root company, for a branch) before a rate shared by all companies, and
``amount * (1 / (from_rate / to_rate))`` rounded to the company currency (``money``). Here the same rates give
the same company-currency amounts, computed in Decimal (``amount * to_rate / from_rate``) so that a tie Odoo's
float epsilon tips up is a tie here too; per-plan totals in Odoo match the source converted Odoo's way. Odoo
falls back to a rate of 1.0 where none is recorded; a silent 1:1 would put wrong money in finance's totals, so a
foreign currency without a rate is a row error instead (the company currency itself keeps Odoo's 1.0).

The rates are read on the task's thread while the read-ahead thread maps the next chunk, so a book is published
whole: ``prepare`` builds the new mapping (every currency asked for and the company currency) off to the side and
swaps it in with one assignment. A reader sees the book before or after, never half of it; a conversion asked for
a currency not in the book raises ``RatesNotReady`` instead of converting at 1.0.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from odoo_sync.odoo.models import CURRENCY, CURRENCY_RATE
from odoo_sync.sync.money import to_company

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


class RatesNotReady(RuntimeError):
    """A conversion was asked for before ``RateBook.prepare`` published the currency's rates (a bug, not data)."""


@dataclass
class RateBook:
    """The rates of the currencies a run meets, read from Odoo once per currency and run.

    ``load(codes)`` answers ``{code: Rates}`` for the codes Odoo knows (active or not) and the company currency; a
    code it doesn't know stays missing and its lines are rejected naming it.
    """

    company_currency: str
    load: Callable[[list[str]], dict[str, Rates]]
    # Published whole (one assignment), never changed in place: code -> Rates, or None when Odoo doesn't know it.
    _book: Mapping[str, Rates | None] = field(default_factory=lambda: MappingProxyType({}))
    _writing: threading.Lock = field(default_factory=threading.Lock)

    def prepare(self, codes: Iterable[Any]) -> None:
        """Read the rates of the foreign currencies among ``codes`` not read yet (one batch of calls)."""
        with self._writing:
            book = self._book
            wanted = self._foreign(codes) - set(book)
            if not wanted:
                return
            found = self.load(sorted(wanted))
            new = {code: found.get(code) for code in sorted(wanted)}
            if self.company_currency not in book:  # with the first foreign currency, in the same publication
                new[self.company_currency] = found.get(self.company_currency)
            self._book = MappingProxyType({**book, **new})

    def ready(self, codes: Iterable[Any]) -> bool:
        """Would ``prepare(codes)`` read nothing from Odoo (every foreign currency among them looked up)?"""
        return not (self._foreign(codes) - set(self._book))

    def knows(self, code: str) -> bool:
        """Does Odoo know ``code`` (res.currency)? Raises RatesNotReady when it was not looked up yet."""
        return self._published(code)[0] is not None

    def convert(self, code: str, day: str, amount: Decimal) -> Decimal | None:
        """``amount`` in ``code`` in the company currency, unrounded (None: Odoo has no rate on or before ``day``)."""
        rates, own = self._published(code)
        from_rate = rates.on(day) if rates else None
        if not from_rate:
            return None
        to_rate = (own.on(day) if own else None) or 1.0  # Odoo's COALESCE(rate, 1.0), for the company currency only
        return to_company(amount, from_rate, to_rate)

    def _published(self, code: str) -> tuple[Rates | None, Rates | None]:
        book = self._book  # one read: the currency and the company currency come from the same publication
        if code not in book or self.company_currency not in book:
            raise RatesNotReady(
                f"the rates of {code or '(no currency)'} were not read from Odoo before a line in it was converted "
                f"(RateBook.prepare must publish them first)"
            )
        return book[code], book[self.company_currency]

    def _foreign(self, codes: Iterable[Any]) -> set[str]:
        return {normalise(c) for c in codes} - {self.company_currency, ""}


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
