"""Build one Airflow DAG per tenant from its config; nothing here touches a database or the network."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, Asset, AssetOrTimeSchedule, AssetWatcher, CronDataIntervalTimetable, Param, task

from odoo_sync.config import TenantConfig

DOC = """
### Odoo sync for tenant `{tenant_id}` ({display_name})

Mirrors the grant platform's structure and spending into this tenant's Odoo (connection `{conn_id}`):

0. **source_changed**: the gate. A scheduled or event-started run whose source has not changed since the last
   sync (no reconciliation due, no rejected row, no param set) stops here: no Odoo call, one task. Manual runs
   and backfills always go on.
1. **migrate_schema**: creates or upgrades the `odoo_sync` schema (ledger, sync_log, health).
2. **check_odoo**: Odoo >= 17, analytic accounting enabled, the three root plans exist.
3. **projects**: one analytic account per project in the project plan, and the `project.project` linked to it.
4. **budget_categories**: plan *{category_plan}*: one account per donor category (HR, TRV, EQP, IND).
5. **budget_lines**: plan *{budget_line_plan}*: one account per budget line (code `PRJ-001/1.1.1.a`).
6. **analytic_lines**: spending lines become `account.analytic.line` records, each carrying one account of
   each plan. What a run reads comes from the tenant's durable cursor, not from the schedule: every run reads
   the lines changed since the last committed mark (minus a {lookback}-minute lookback for rows committed late),
   plus the rows rejected earlier and the lines whose accounts changed. A line is written when its values
   differ from what Odoo last received; a voided line is removed, a restored one created again.
   Once a day (every {reconcile} h) a **reconciliation** compares every source line with what Odoo holds and
   repairs the difference, including lines deleted from the source.

Every mutation goes through the idempotency ledger (`tenant:entity:id:operation`): re-runs, retries and
backfills never duplicate anything; every call has its row in `odoo_sync.sync_log`.

**When**: {when} See docs/event-driven.md.

**Trigger** (with or without a logical date): syncs everything changed since the last successful run.
Params: *reconcile* runs the full comparison now; *confirm_removals* lets a run remove more lines than the
circuit breaker allows (share {share:.0%}; voids count too), after you checked the source really dropped them;
*rebuild* reads Odoo and rebuilds the records from its markers before syncing (after either side was restored from
a backup; a run does it by itself when Odoo and the records disagree). Add *dry_run* to see the plan first.

**Backfill** a date range (replays the lines changed in it; unchanged lines cost no Odoo call; the cursor is
not moved): `airflow backfill create --dag-id {dag_id} --from-date 2026-03-01 --to-date 2026-03-08`
or *Trigger > Backfill* in the UI.
"""


def default_args(tenant: TenantConfig) -> dict[str, Any]:
    return {
        "owner": tenant.owner,
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=10),
        "execution_timeout": timedelta(hours=2),
    }


def build_tenant_dag(tenant: TenantConfig) -> DAG:
    """The tenant's sync DAG: migrate -> check -> projects -> plan 2 -> plan 3 -> lines."""
    lines_asset = Asset(f"odoo://{tenant.tenant_id}/account.analytic.line", group="odoo_sync")
    with DAG(
        dag_id=tenant.dag_id,
        description=f"Sync {tenant.display_name} into its Odoo",
        schedule=schedule(tenant),
        start_date=pendulum.datetime(
            tenant.start_date.year, tenant.start_date.month, tenant.start_date.day, tz=tenant.timezone
        ),
        catchup=False,
        max_active_runs=1,
        default_args=default_args(tenant),
        tags=["odoo", "odoo-sync", f"tenant:{tenant.tenant_id}", *tenant.tags],
        params={
            "reconcile": Param(False, type="boolean", description="Compare every source line with Odoo now"),
            "confirm_removals": Param(
                False, type="boolean", description="Allow removing more lines than the circuit breaker's share"
            ),
            "full_resync": Param(False, type="boolean", description="Same as reconcile (kept for earlier runs)"),
            "rebuild": Param(
                False,
                type="boolean",
                description="Rebuild the records from Odoo first (after restoring either side from a backup); "
                "trigger with dry_run too to see the plan",
            ),
            "dry_run": Param(
                False,
                type="boolean",
                description="Plan only: list the creates, writes and removals and the money they move, send nothing",
            ),
        },
        doc_md=DOC.format(
            tenant_id=tenant.tenant_id,
            display_name=tenant.display_name,
            conn_id=tenant.odoo_conn_id,
            category_plan=tenant.plans.category,
            budget_line_plan=tenant.plans.budget_line,
            dag_id=tenant.dag_id,
            lookback=tenant.lookback_minutes,
            reconcile=f"{tenant.reconcile_every_hours:g}",
            share=tenant.max_removal_share,
            when=_when(tenant),
        ),
    ) as dag:
        _wire(tenant, lines_asset)
    return dag


def schedule(tenant: TenantConfig) -> CronDataIntervalTimetable | AssetOrTimeSchedule:
    """The tenant's cron; when event-driven, or its source-changes asset, whichever comes first."""
    cron = CronDataIntervalTimetable(tenant.schedule, timezone=tenant.timezone)
    if not tenant.event_driven:
        return cron
    return AssetOrTimeSchedule(timetable=cron, assets=[source_changes_asset(tenant)])


def source_changes_asset(tenant: TenantConfig) -> Asset:
    """The tenant's source changes, watched in the triggerer (``odoo_sync.airflow.watcher``)."""
    from odoo_sync.airflow.watcher import SourceChangeTrigger

    trigger = SourceChangeTrigger(tenant.tenant_id, tenant.source_conn_id, tenant.probe_seconds)
    return Asset(
        name=f"togrant_changes__{tenant.tenant_id}",
        uri=f"togrant://{tenant.tenant_id}/changes",
        group="odoo_sync",
        watchers=[AssetWatcher(name=f"source_changes__{tenant.tenant_id}", trigger=trigger)],
    )


def _when(tenant: TenantConfig) -> str:
    if not tenant.event_driven:
        return f"on its schedule `{tenant.schedule}` ({tenant.timezone}) only (`event_driven: false`)."
    return (
        f"within about {tenant.probe_seconds:g} s of a change in the source (a watcher in the triggerer probes it"
        f" every {tenant.probe_seconds:g} s), and on its schedule `{tenant.schedule}` ({tenant.timezone}), whichever"
        " comes first; a run that finds nothing changed costs one task and no Odoo call."
    )


def _wire(tenant: TenantConfig, lines_asset: Asset) -> None:
    tid, pool = tenant.tenant_id, tenant.pool

    @task.short_circuit(ignore_downstream_trigger_rules=True)
    def source_changed(**context: Any) -> bool:
        from odoo_sync.airflow import tasks

        return tasks.source_changed(tid, context)

    @task
    def migrate_schema() -> None:
        from odoo_sync.airflow import tasks

        tasks.migrate_schema()

    @task(pool=pool)
    def check_odoo(**context: Any) -> dict[str, Any]:
        from odoo_sync.airflow import tasks

        return tasks.check_odoo(tid, context)

    @task(pool=pool)
    def projects(octx: dict[str, Any], **context: Any) -> dict[str, Any]:
        from odoo_sync.airflow import tasks

        return tasks.projects(tid, octx, context)

    @task(pool=pool)
    def budget_categories(octx: dict[str, Any], **context: Any) -> dict[str, Any]:
        from odoo_sync.airflow import tasks

        return tasks.budget_categories(tid, octx, context)

    @task(pool=pool)
    def budget_lines(octx: dict[str, Any], **context: Any) -> dict[str, Any]:
        from odoo_sync.airflow import tasks

        return tasks.budget_lines(tid, octx, context)

    @task(pool=pool, outlets=[lines_asset])
    def analytic_lines(octx: dict[str, Any], **context: Any) -> dict[str, Any]:
        from odoo_sync.airflow import tasks

        return tasks.analytic_lines(tid, octx, context)

    octx: Any = check_odoo()  # an XComArg: each step receives the resolved Odoo context
    source_changed() >> migrate_schema() >> octx
    projects(octx) >> budget_categories(octx) >> budget_lines(octx) >> analytic_lines(octx)
