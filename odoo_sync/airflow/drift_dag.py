"""Build one drift-check DAG per tenant (``odoo_drift__<tenant>``); nothing here touches a database or the network."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import DAG, CronTriggerTimetable, Param, task

from odoo_sync.config import TenantConfig

SCHEDULE = "30 4 * * *"  # daily, before finance's working day in the tenant's time zone
DOC = """
### Drift check for tenant `{tenant_id}` ({display_name})

Daily (and whenever triggered): compares the tenant's Odoo with the grant platform, **read-only** (every call
is a read; anything else is refused before it is sent):

* per-plan totals of the lines per project, donor category and budget line: what the source adds up to, what
  the sync last wrote, and what Odoo holds (`read_group`, or `formatted_read_group` on Odoo 19+). Odoo unlike
  what the sync wrote is **drift** (changed by hand); Odoo unlike the source but like the sync is only
  **pending** (the next `{sync_dag}` run writes it);
* the records the sync wrote that Odoo no longer has: deleted, archived or un-archived by hand (deleting an
  empty project in Odoo 17 deletes its analytic account too).

The result goes to `odoo_sync.drift_check`, a `sync_log` row (entity `drift`) and the dashboard's drift badge.
Drift still found by a check {alert_hours:g} h after the first one pages on-call once; a check without drift
sends the all-clear.

**Repair** is never automatic (finance may have changed Odoo on purpose): trigger this DAG with `repair`
ticked. The check runs, the records behind the drift are marked, and `{sync_dag}` is triggered with `reconcile`,
which writes the source's values back, creates deleted records again and restores archived ones.
"""


def build_drift_dag(tenant: TenantConfig, alert_hours: float = 20.0) -> DAG:
    """The tenant's drift DAG: migrate -> check -> notify, and repair -> reconcile when asked."""
    with DAG(
        dag_id=f"odoo_drift__{tenant.tenant_id}",
        description=f"Compare {tenant.display_name}'s Odoo with the source (read-only)",
        schedule=CronTriggerTimetable(SCHEDULE, timezone=tenant.timezone),
        start_date=pendulum.datetime(
            tenant.start_date.year, tenant.start_date.month, tenant.start_date.day, tz=tenant.timezone
        ),
        catchup=False,
        max_active_runs=1,
        default_args={
            "owner": tenant.owner,
            "retries": 2,
            "retry_delay": timedelta(minutes=2),
            "execution_timeout": timedelta(hours=2),
        },
        tags=["odoo", "odoo-sync", "drift", f"tenant:{tenant.tenant_id}"],
        params={
            "repair": Param(
                False,
                type="boolean",
                description="After the check, mark the drifted records and trigger a reconciliation that "
                "writes the source's values back into Odoo (overwrites finance's manual changes)",
            )
        },
        doc_md=DOC.format(
            tenant_id=tenant.tenant_id,
            display_name=tenant.display_name,
            sync_dag=tenant.dag_id,
            alert_hours=alert_hours,
        ),
    ) as dag:
        _wire(tenant)
    return dag


def _wire(tenant: TenantConfig) -> None:
    tid = tenant.tenant_id

    @task
    def migrate_schema() -> None:
        from odoo_sync.airflow import tasks

        tasks.migrate_schema()

    @task(pool=tenant.pool)
    def check_drift(**context: Any) -> dict[str, Any]:
        from odoo_sync.drift import check

        report = check.check_tenant(tid, context)
        return {"state": report.state, "summary": report.summary(), "lines_waiting": report.lines_waiting}

    @task
    def notify_drift(result: dict[str, Any]) -> str:
        from odoo_sync.drift import alerting

        return alerting.notify(tid)

    @task.short_circuit
    def repair(result: dict[str, Any], **context: Any) -> bool:
        from odoo_sync.drift.repair import mark_for_repair
        from odoo_sync.sync.runtime import param

        if not param(context, "repair"):
            return False
        return any(mark_for_repair(tid).values())

    reconcile = TriggerDagRunOperator(
        task_id="reconcile",
        trigger_dag_id=tenant.dag_id,
        conf={"reconcile": True},
        wait_for_completion=False,
    )
    result: Any = check_drift()  # an XComArg
    migrate_schema() >> result
    notify_drift(result)
    repair(result) >> reconcile
