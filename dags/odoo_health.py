"""Airflow DAG `odoo_health`: every 5 minutes, ping each tenant's Odoo and page on-call about red tenants.

Wiring only; the work is in odoo_sync.health.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, task

from odoo_sync.config import use_tenants_file_beside
from odoo_sync.health.deadline import health_deadline
from odoo_sync.health.settings import load_settings

DOC = """
### Odoo integration health

Every 5 minutes: one authenticated no-op call (read the analytic plans) to **every** tenant's Odoo from
the tenants file, all at once with a per-call timeout. Each result goes to `odoo_sync.health_ping`
(and its calls to `odoo_sync.sync_log`); then each tenant is rated from its recorded history:

* **green**: the last ping succeeded, fast, with no warning;
* **amber**: slow, failing for less than the red threshold, or a warning (Odoo 19+ over XML-RPC, an API key
  about to expire, a configured plan missing, no ping for a while);
* **red**: failing since a recorded time. Red for more than 15 minutes mails on-call **once per incident**;
  the first good ping resolves the incident and mails the recovery.

Health also sees the **sync**, not only the ping: a tenant with no successful sync for 3 of its schedule
intervals is amber, for 6 red (and paged the same way), with the cause named (DAG paused, a run stuck or
failing, a pool blocked, a run dated in the future holding the slot).

A **Deadline Alert** (Airflow 3's replacement for SLAs) mails on-call if a run has not finished within its
budget of being queued: the monitor itself is stalled. Pills and the sync-log browser: *Odoo integration
health* in the UI's navigation. Manual: `odoo_sync/runbook/integration-health.md` (the page's *runbook* link).
"""

use_tenants_file_beside(__file__)
_settings = load_settings()  # env vars and the tenants file's `health:` section; no database or network

with DAG(
    dag_id="odoo_health",
    description="Ping every tenant's Odoo; green/amber/red; page on-call about red tenants",
    schedule="*/5 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=15),
    default_args={
        "owner": "data-engineering",
        "retries": 2,
        "retry_delay": timedelta(seconds=20),
        "execution_timeout": timedelta(minutes=4),
    },
    tags=["odoo", "odoo-sync", "health"],
    doc_md=DOC,
    deadline=health_deadline(_settings),
) as dag:

    @task
    def migrate_schema() -> None:
        from odoo_sync.airflow import tasks

        tasks.migrate_schema()

    @task
    def ping_tenants(**context: Any) -> str:
        from odoo_sync.health import monitor

        return monitor.ping_tenants(context)

    @task
    def evaluate_and_alert(checked_at: str) -> dict[str, int]:
        from odoo_sync.health import monitor

        return monitor.evaluate_and_alert(checked_at)

    checked_at = ping_tenants()
    migrate_schema() >> checked_at
    evaluate_and_alert(checked_at)
