"""Health settings, mail rendering and runbook anchors: pure, no servers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from odoo_sync.dashboard.runbook import DOC, render
from odoo_sync.health import alerts
from odoo_sync.health.settings import HealthSettings, load_settings
from odoo_sync.store.health import Health, Ping, State
from odoo_sync.store.incidents import Incident
from tests.helpers import anchors

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_defaults_without_config(tmp_path: Path) -> None:
    settings = load_settings({}, tmp_path / "absent.yaml")
    assert settings == HealthSettings()
    assert settings.alert_after == timedelta(minutes=15) and settings.on_call == ()


def test_yaml_section_then_environment(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(
        "tenants: []\nhealth:\n  on_call: [a@x.test, b@x.test]\n  slow_ms: 1500\n  alert_after_minutes: 30\n"
    )
    env = {"ODOO_SYNC_HEALTH_SLOW_MS": "900", "ODOO_SYNC_HEALTH_RED_AFTER_FAILURES": "3"}
    settings = load_settings(env, path)
    assert settings.on_call == ("a@x.test", "b@x.test")
    assert (settings.slow_ms, settings.alert_after_minutes, settings.red_after_failures) == (900.0, 30.0, 3)
    assert load_settings({"ODOO_SYNC_HEALTH_ON_CALL": " x@y.test , z@y.test"}, path).on_call == (
        "x@y.test",
        "z@y.test",
    )


def test_the_serialized_deadline_carries_its_budget_and_not_the_on_call_list() -> None:
    """Who is paged is read when the callback runs on the triggerer, not frozen by the DAG processor."""
    from airflow.serialization.serialized_objects import BaseSerialization

    from odoo_sync.health.deadline import health_deadline

    settings = HealthSettings(on_call=("a@x.test",), run_budget_minutes=2.5)
    serialized = json.dumps(BaseSerialization.serialize(health_deadline(settings)), default=str)
    assert '"__data__": 150.0' in serialized  # the run budget, in seconds
    assert "a@x.test" not in serialized and '"kwargs": {}' in serialized


def test_an_unknown_setting_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text("health:\n  alert_after_minuets: 5\n")
    with pytest.raises(ValueError, match="alert_after_minuets"):
        load_settings({}, path)


def test_every_runbook_link_points_at_a_chapter() -> None:
    existing = anchors(DOC.read_text())
    wanted = [a for a, _ in [*alerts.RUNBOOK.values(), alerts.DEFAULT_CHAPTER, alerts.MONITOR_CHAPTER]]
    assert [a for a in wanted if a not in existing] == []
    html = render()
    assert all(f'id="{a}"' in html for a in wanted)


def test_runbook_escapes_raw_html(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("# Title\n\n<script>alert(1)</script>\n")
    assert "<script>" not in render.__wrapped__(doc)


def test_recovery_mail_after_an_alert() -> None:
    health = Health(
        "acme", State.GREEN, T0 + timedelta(minutes=40), (), Ping(T0 + timedelta(minutes=40), True, 30)
    )
    incident = Incident(
        1,
        "acme",
        T0 + timedelta(minutes=10),
        alerted_at=T0 + timedelta(minutes=25),
        last_error="HTTP 502 Bad Gateway",
    )
    mail = alerts.recovery_mail(health, incident, T0 + timedelta(minutes=40), HealthSettings(), "ACME")
    assert mail.subject == "[odoo-sync] RECOVERED acme after 30 min"
    assert "HTTP 502 Bad Gateway" in mail.html and "2026-11-23 10:10 UTC" in mail.html


def test_overdue_mail_names_the_run() -> None:
    mail = alerts.overdue_mail(
        "odoo_health",
        "scheduled__2026-11-23T10:00:00+00:00",
        "2026-11-23 10:04",
        HealthSettings(runbook_url="https://af.test/odoo-health/runbook"),
    )
    assert "scheduled__2026-11-23T10:00:00+00:00" in mail.subject
    assert "https://af.test/odoo-health/runbook#the-monitor-itself-stalled" in mail.html


def test_notifiers_from_the_environment_and_unknown_ones_refused(tmp_path) -> None:
    import pytest

    missing = tmp_path / "none.yaml"
    env = {"ODOO_SYNC_HEALTH_NOTIFIERS": "smtp, webhook:oncall_hook ,slack:slack_oncall"}
    assert load_settings(env, missing).notifiers == ("smtp", "webhook:oncall_hook", "slack:slack_oncall")
    assert load_settings({}, missing).notifiers == ("smtp",)
    with pytest.raises(ValueError, match="unknown notifier"):
        load_settings({"ODOO_SYNC_HEALTH_NOTIFIERS": "pager:x"}, missing)
