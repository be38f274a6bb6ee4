"""Drift: comparing per-plan totals, the causes, and when persistent drift pages (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from odoo_sync.drift.alerting import decide
from odoo_sync.drift.odoo_side import _group_id
from odoo_sync.drift.report import DRIFT, HAND, WAITING, DriftReport, MissingRecord, account_problem, compare_totals
from odoo_sync.health.settings import HealthSettings
from odoo_sync.odoo import guard
from odoo_sync.store.incidents import Incident
from tests.helpers import anchors

D = Decimal
T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_odoo_unlike_the_sync_is_drift_and_unlike_only_the_source_is_pending() -> None:
    source = {("budget_line", 1): D("-100.00"), ("budget_line", 2): D("-50.00"), ("project", 9): D("-150.004")}
    synced = {("budget_line", 1): D("-100.00"), ("budget_line", 2): D("-40.00"), ("project", 9): D("-140.00")}
    odoo = {("budget_line", 1): D("-90.00"), ("budget_line", 2): D("-40.00"), ("project", 9): D("-140.00")}
    diffs = compare_totals(source, synced, odoo, {("budget_line", 1): "PRJ-001/1.1"})
    assert [(d.code, d.cause) for d in diffs] == [("PRJ-001/1.1", HAND), ("#2", WAITING), ("#9", WAITING)]


def test_totals_equal_after_rounding_to_the_currency_are_no_difference() -> None:
    assert compare_totals({("project", 1): D("-10.004")}, {}, {("project", 1): D("-10.0")}, {}) == []
    assert compare_totals({("project", 1): D("-10.0004")}, {}, {("project", 1): D("-10.0")}, {}, decimals=3) == []


def test_a_report_with_missing_records_is_drift_and_says_what() -> None:
    report = DriftReport("acme", missing=[MissingRecord("line", "L1", "account.analytic.line", 7, "deleted")])
    assert report.state == DRIFT
    assert report.summary() == "1 record(s) deleted in Odoo"
    assert report.findings()["missing"][0]["odoo_id"] == 7


def test_account_problems() -> None:
    assert account_problem(True, None) == "deleted"
    assert account_problem(True, False) == "archived"
    assert account_problem(False, True) == "unarchived"
    assert account_problem(True, True) is None and account_problem(False, False) is None


def test_group_values_of_read_group_and_formatted_read_group() -> None:
    assert _group_id([5, "PRJ-001"]) == 5 and _group_id((5, "PRJ-001")) == 5  # 17's list, 19's pair
    assert _group_id(False) is None and _group_id(7) == 7


def test_formatted_read_group_is_a_read() -> None:
    guard.check_call("account.analytic.line", "formatted_read_group")


def test_drift_pages_once_it_persists_and_a_clean_check_resolves() -> None:
    settings = HealthSettings(drift_alert_after_hours=20)
    assert decide(DRIFT, None, T0, settings).open
    assert not decide(DRIFT, None, T0, settings).alert
    open_ = Incident(1, "acme", T0)
    assert not decide(DRIFT, open_, T0 + timedelta(hours=1), settings).alert
    assert decide(DRIFT, open_, T0 + timedelta(hours=24), settings).alert
    paged = Incident(1, "acme", T0, alerted_at=T0 + timedelta(hours=24))
    assert decide(DRIFT, paged, T0 + timedelta(hours=48), settings).nothing
    assert decide("error", paged, T0 + timedelta(hours=48), settings).nothing  # a failed check proves nothing
    assert decide("clean", paged, T0 + timedelta(hours=48), settings).resolve
    assert decide("pending", open_, T0 + timedelta(hours=2), settings).resolve


def test_the_drift_alert_links_to_a_runbook_chapter() -> None:
    from odoo_sync.dashboard import runbook
    from odoo_sync.drift.alerting import RUNBOOK_ANCHOR

    assert RUNBOOK_ANCHOR in anchors(runbook.DOC.read_text())
