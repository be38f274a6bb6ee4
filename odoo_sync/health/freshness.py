"""Does the tenant's sync run? Its last successful sync against a multiple of its schedule, and the cause.

``Freshness`` is what the state machine (``health.state``) rates: amber after ``sync_stale_after_schedules``
schedule intervals without a successful sync, red after ``sync_red_after_schedules`` (both from the health
settings, overridable per tenant in the tenants file). The cause is named from what our database knows (the
last started and successful runs, ``store.sync_runs``) and, inside the health DAG's task, from what Airflow
knows (``AirflowView``: is the DAG paused, are runs active or queued), read through the Task SDK: tasks in
Airflow 3 have no ORM.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import croniter

from odoo_sync.config import TenantConfig
from odoo_sync.health.settings import HealthSettings
from odoo_sync.store.sync_runs import SyncRun

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AirflowView:
    """What Airflow says about a tenant's DAG (None in a field: not known)."""

    paused: bool | None = None
    running: int | None = None
    queued: int | None = None


@dataclass(frozen=True, slots=True)
class Freshness:
    """The input of the staleness rule: since when the sync has not succeeded, the thresholds, the cause."""

    last_success: datetime | None
    amber_after: timedelta
    red_after: timedelta
    cause: str = ""


def schedule_interval(tenant: TenantConfig, now: datetime) -> timedelta:
    """The gap between the schedule's next two runs after ``now`` (an hourly cron: one hour)."""
    times = croniter(tenant.schedule, now)
    first = times.get_next(datetime)
    return times.get_next(datetime) - first  # type: ignore[no-any-return]


def freshness(
    tenant: TenantConfig, run: SyncRun | None, now: datetime, settings: HealthSettings, view: AirflowView | None
) -> Freshness:
    """The tenant's Freshness at ``now``; a tenant that never started a run is not rated (nothing to see yet)."""
    interval = schedule_interval(tenant, now)
    amber = tenant.sync_stale_after_schedules or settings.sync_stale_after_schedules
    red = tenant.sync_red_after_schedules or settings.sync_red_after_schedules
    run = run or SyncRun()
    since = run.last_success_at or run.last_started_at
    return Freshness(since, interval * amber, interval * max(red, amber), cause(tenant, run, view))


def cause(tenant: TenantConfig, run: SyncRun, view: AirflowView | None) -> str:
    """The likeliest reason the sync has not succeeded, in words on-call can act on."""
    if view is not None and view.paused:
        return f"the DAG {tenant.dag_id} is paused"
    started_after_success = run.last_started_at is not None and (
        run.last_success_at is None or run.last_started_at > run.last_success_at
    )
    queued = f"; {view.queued} run(s) queued behind it" if view is not None and view.queued else ""
    if view is not None and view.running and not started_after_success:
        return (
            f"a run of {tenant.dag_id} is active but none of its tasks has started: a run dated in the future "
            f"(its logical date ahead of the clock) or the pool {tenant.pool} blocked{queued}"
        )
    if started_after_success:
        state = "has not finished (stuck, or failing and retrying)" if view is None or view.running else "failed"
        return f"the run {run.last_started_run} started at {run.last_started_at:%Y-%m-%d %H:%M} UTC {state}{queued}"
    if view is not None and view.queued:
        return f"{view.queued} run(s) of {tenant.dag_id} queued, none running: the pool {tenant.pool} or the scheduler"
    return f"no run of {tenant.dag_id} has started since the last success: scheduler down, or the DAG not scheduled"


def airflow_view(dag_id: str) -> AirflowView | None:
    """Inside a running task: the DAG's paused flag and active runs, through the Task SDK. None elsewhere."""
    try:
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance as TI

        return AirflowView(
            paused=bool(TI.get_dag(dag_id).is_paused),
            running=TI.get_dr_count(dag_id, states=["running"]),
            queued=TI.get_dr_count(dag_id, states=["queued"]),
        )
    except Exception as exc_info:  # outside a task (no supervisor), or a DAG not parsed yet: rate without it
        log.info("Airflow's view of %s is not available: %s", dag_id, exc_info)
        return None
