"""The sync-staleness rule and the cause it names (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from odoo_sync.config import TenantConfig
from odoo_sync.health.freshness import AirflowView, cause, freshness
from odoo_sync.health.settings import HealthSettings
from odoo_sync.health.state import evaluate
from odoo_sync.store.health import History, Ping, State
from odoo_sync.store.sync_runs import SyncRun

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOURLY = TenantConfig(tenant_id="acme", display_name="ACME")
SETTINGS = HealthSettings()
GOOD_PINGS = History(last=Ping(NOW, True, 40.0), last_ok=Ping(NOW, True, 40.0), ok_since=NOW - timedelta(days=1))
DONE = SyncRun(last_success_at=NOW - timedelta(hours=7), last_success_run="scheduled__1")


def rate(run: SyncRun, tenant: TenantConfig = HOURLY, view: AirflowView | None = None):
    return evaluate("acme", GOOD_PINGS, NOW, SETTINGS, freshness(tenant, run, NOW, SETTINGS, view))


def test_thresholds_are_multiples_of_the_schedule_global_or_per_tenant() -> None:
    assert rate(SyncRun(last_success_at=NOW - timedelta(hours=2))).state is State.GREEN
    assert rate(SyncRun(last_success_at=NOW - timedelta(hours=4))).state is State.AMBER
    red = rate(DONE)
    assert red.state is State.RED and red.since == DONE.last_success_at + timedelta(hours=6)
    daily = TenantConfig(tenant_id="acme", display_name="ACME", schedule="0 2 * * *")
    assert rate(DONE, daily).state is State.GREEN  # 7 h is not stale for a daily sync
    patient = TenantConfig(tenant_id="acme", display_name="ACME", sync_red_after_schedules=12)
    assert rate(DONE, patient).state is State.AMBER


def test_the_cause_is_named_from_airflow_and_the_recorded_runs() -> None:
    started = SyncRun(DONE.last_success_at, "scheduled__1", NOW - timedelta(hours=5), "scheduled__2")
    assert cause(HOURLY, DONE, AirflowView(paused=True)) == "the DAG odoo_sync__acme is paused"
    future = cause(HOURLY, DONE, AirflowView(paused=False, running=1, queued=3))
    assert "none of its tasks has started: a run dated in the future" in future
    assert "pool odoo_acme" in future and "3 run(s) queued behind it" in future
    assert "scheduled__2" in cause(HOURLY, started, AirflowView(paused=False, running=1, queued=0))
    assert cause(HOURLY, started, AirflowView(paused=False, running=0, queued=0)).endswith("failed")
    assert "queued, none running" in cause(HOURLY, DONE, AirflowView(paused=False, running=0, queued=2))
    assert rate(DONE, view=AirflowView(paused=True)).reasons[0].endswith("the DAG odoo_sync__acme is paused")
