"""Odoo's rates read ahead: a RateBook is published whole, so the read-ahead thread never converts with half of it.

``prepare`` runs on the task's thread while the read-ahead thread asks ``ready`` and maps lines. The tests pause
``prepare`` after it has the foreign currency's rates and before it has the company currency's (the answer of
``load`` blocks when that entry is taken), and look from another thread.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest

from odoo_sync.sync.lines import desired_line
from odoo_sync.sync.mapping import line_vals
from odoo_sync.sync.rates import RateBook, Rates, RatesNotReady
from tests.unit.test_mapping import TARGETS, row

USD = Rates(2, own=(("2026-01-01", 1.25),))  # 1.25 USD per unit of the base currency
EUR = Rates(1, own=(("2026-01-01", 2.0),))  # the company currency is not the base one: its rate is 2.0
RIGHT = -160.0  # 100 USD * 2.0 / 1.25; at 1.0 for the company currency it would be -80.0


class PausedAnswer(dict[str, Any]):
    """``load``'s answer; taking the company currency's rates from it waits until the test releases it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paused, self.release = threading.Event(), threading.Event()

    def get(self, code: str, default: Any = None) -> Any:
        if code == "EUR":
            self.paused.set()
            assert self.release.wait(10), "the test never released prepare()"
        return super().get(code, default)

    def __getitem__(self, code: str) -> Any:
        return self.get(code)


def test_ready_stays_false_and_nothing_converts_at_one_while_prepare_is_between_currencies() -> None:
    answer = PausedAnswer(USD=USD, EUR=EUR)
    book = RateBook("EUR", lambda codes: answer)
    targets = replace(TARGETS, rates=book)
    task = threading.Thread(target=book.prepare, args=(["USD"],), name="task")
    task.start()
    try:
        assert answer.paused.wait(10), "prepare() never reached the company currency"
        assert not book.ready(["USD"])  # the read-ahead thread plans nothing with these rates yet
        with pytest.raises(RatesNotReady, match="the rates of USD were not read from Odoo"):
            line_vals(row(currency="USD", amount="100.00"), targets)
        with pytest.raises(RatesNotReady):  # loud, not a rejected row ("not a currency Odoo knows")
            desired_line(row(currency="USD", amount="100.00"), targets)
    finally:
        answer.release.set()
        task.join(10)
    assert book.ready(["USD"])
    assert line_vals(row(currency="USD", amount="100.00"), targets)["amount"] == RIGHT


def test_a_conversion_before_any_prepare_fails_loudly() -> None:
    book = RateBook("EUR", lambda codes: {"USD": USD, "EUR": EUR})
    assert not book.ready(["USD", "EUR"]) and book.ready(["EUR", "", None])  # the company currency needs no rate
    with pytest.raises(RatesNotReady):
        line_vals(row(currency="USD", amount="100.00"), replace(TARGETS, rates=book))
    assert line_vals(row(amount="100.00"), replace(TARGETS, rates=book))["amount"] == -100.0  # EUR: as it is


def test_a_later_prepare_adds_the_currencies_not_read_yet() -> None:
    calls: list[list[str]] = []
    series = {"USD": USD, "EUR": EUR, "GBP": Rates(3, own=(("2026-01-01", 0.8),))}
    book = RateBook("EUR", lambda codes: calls.append(codes) or {c: series[c] for c in (*codes, "EUR") if c in series})
    targets = replace(TARGETS, rates=book)
    book.prepare(["usd", "EUR"])
    book.prepare(["USD", "GBP", "XYZ"])
    assert calls == [["USD"], ["GBP", "XYZ"]]  # each currency read once; the company currency with the first
    assert book.ready(["USD", "GBP", "XYZ"]) and not book.knows("XYZ")  # looked up: Odoo doesn't know it
    assert line_vals(row(currency="GBP", amount="100.00"), targets)["amount"] == -250.0  # 100 * 2.0 / 0.8
    assert line_vals(row(currency="USD", amount="100.00"), targets)["amount"] == RIGHT
