"""The health state machine and the incident decisions: pure, with a fake clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from odoo_sync.health.incidents import Decision, decide
from odoo_sync.health.pinger import transport_warnings
from odoo_sync.health.settings import HealthSettings
from odoo_sync.health.state import evaluate
from odoo_sync.store.health import History, Ping, State
from odoo_sync.store.incidents import Incident
from tests.helpers import summarize

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
S = HealthSettings()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ok(minutes: float, latency: float = 50.0, version: str = "17.0", **kw: object) -> Ping:
    return Ping(at(minutes), True, latency, server_version=version, **kw)  # type: ignore[arg-type]


def bad(minutes: float, error_class: str = "connection", error: str = "ConnectionRefusedError") -> Ping:
    return Ping(at(minutes), False, 1.0, error_class, error)


def state_at(pings: list[Ping], minutes: float, settings: HealthSettings = S) -> State:
    return evaluate("acme", summarize(pings), at(minutes), settings).state


def test_no_ping_yet_is_amber() -> None:
    health = evaluate("acme", History(), T0, S)
    assert health.state is State.AMBER and "no health ping" in health.reasons[0]


def test_fast_good_ping_is_green_since_the_first_good_ping_after_a_failure() -> None:
    pings = [ok(0), bad(5), ok(10), ok(15)]
    health = evaluate("acme", summarize(pings), at(16), S)
    assert (health.state, health.since, health.reasons) == (State.GREEN, at(10), ())


def test_slow_ping_is_amber_and_says_how_slow() -> None:
    health = evaluate("acme", summarize([ok(0, latency=2500)]), at(1), S)
    assert health.state is State.AMBER and "2,500 ms" in health.reasons[0]


def test_one_failed_ping_does_not_flap_to_red() -> None:
    pings = [ok(0), bad(5)]
    assert state_at(pings, 5) is State.AMBER
    assert state_at(pings, 9.9) is State.AMBER  # still only one failure, even as time passes


def test_second_failure_after_the_red_threshold_is_red_since_the_first_failure() -> None:
    pings = [ok(0), bad(5), bad(10)]
    health = evaluate("acme", summarize(pings), at(10), S)
    assert (health.state, health.since, health.failures) == (State.RED, at(5), 2)
    assert "ConnectionRefusedError" in health.reasons


def test_two_quick_failures_are_not_red_before_the_threshold() -> None:
    assert state_at([ok(0), bad(5), bad(6)], 6) is State.AMBER


def test_red_comes_from_recorded_history_not_from_counting_runs() -> None:
    """Runs at 10..25 were missed: the next run still knows the tenant failed since minute 5."""
    pings = [ok(0), bad(5), bad(30)]
    health = evaluate("acme", summarize(pings), at(30), S)
    assert health.state is State.RED and health.since == at(5)


def test_thresholds_are_configurable() -> None:
    strict = HealthSettings(red_after_failures=1, red_after_minutes=0, slow_ms=10)
    assert state_at([bad(0)], 0, strict) is State.RED
    assert state_at([ok(0, latency=20)], 0, strict) is State.AMBER


@pytest.mark.parametrize(
    ("version", "api", "warned"),
    [
        ("17.0", "xmlrpc", False),
        ("18.0", "xmlrpc", False),
        ("19.0", "xmlrpc", True),
        ("saas~19.1", "xmlrpc", True),
        ("19.0", "json2", False),
    ],
)
def test_odoo_19_or_newer_over_xmlrpc_is_a_warning_that_says_how_to_switch(
    version: str, api: str, warned: bool
) -> None:
    warnings = transport_warnings({"server_version": version}, api)
    health = evaluate("acme", summarize([ok(0, version=version, warnings=tuple(warnings))]), at(1), S)
    assert health.state is (State.AMBER if warned else State.GREEN)
    if warned:
        assert f"Odoo {version} is reached over XML-RPC" in health.reasons[0]
        assert "New API Key" in health.reasons[0] and "extra api at auto" in health.reasons[0]


@pytest.mark.parametrize(
    ("expires", "expected"),
    [(date(2026, 12, 31), State.GREEN), (date(2026, 11, 30), State.AMBER), (date(2026, 11, 1), State.AMBER)],
)
def test_api_key_expiry_near_or_past_is_amber(expires: date, expected: State) -> None:
    health = evaluate("acme", summarize([ok(0, api_key_expires=expires)]), at(1), S)
    assert health.state is expected


def test_a_warning_from_the_ping_is_amber() -> None:
    ping = ok(0, warnings=("analytic plan 'Donor budget detail' is missing in Odoo",))
    assert state_at([ping], 1) is State.AMBER


def test_a_stale_last_ping_is_amber() -> None:
    health = evaluate("acme", summarize([ok(0)]), at(60), S)
    assert health.state is State.AMBER and "no health ping since" in health.reasons[0]


# -- incidents --------------------------------------------------------------------------------------------
def incident(alerted: bool = False) -> Incident:
    return Incident(1, "acme", at(5), alerted_at=at(20) if alerted else None)


def health_at(pings: list[Ping], minutes: float):
    return evaluate("acme", summarize(pings), at(minutes), S)


def test_red_opens_an_incident_but_pages_only_after_15_minutes() -> None:
    pings = [ok(0), bad(5), bad(10)]
    assert decide(health_at(pings, 10), None, at(10), S) == Decision(open=True)
    pings.append(bad(15))
    assert decide(health_at(pings, 15), incident(), at(15), S) == Decision()
    pings.append(bad(20))
    assert decide(health_at(pings, 20), incident(), at(20), S) == Decision(alert=True)
    assert decide(health_at(pings, 25), incident(alerted=True), at(25), S) == Decision()


def test_a_missed_run_pages_at_once_when_already_red_long_enough() -> None:
    pings = [ok(0), bad(5), bad(40)]
    assert decide(health_at(pings, 40), None, at(40), S) == Decision(open=True, alert=True)


def test_one_good_ping_resolves_and_recovery_only_follows_an_alert() -> None:
    pings = [ok(0), bad(5), bad(10), ok(15)]
    assert decide(health_at(pings, 15), incident(), at(15), S) == Decision(resolve=True)
    assert decide(health_at(pings, 15), incident(alerted=True), at(15), S) == Decision(resolve=True)


def test_amber_failing_without_incident_does_nothing() -> None:
    assert decide(health_at([ok(0), bad(5)], 5), None, at(5), S).nothing
