"""Airflow DAG `odoo_sync_maintenance`: daily retention of the sync_log audit trail (wiring only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, task

DOC = """
### odoo_sync maintenance

Daily: removes `odoo_sync.sync_log` rows older than `ODOO_SYNC_LOG_KEEP_DAYS` (default 400) days, counted from
the run's data interval end, in batches of 10,000 rows, one short transaction each. The table is otherwise
append-only (its trigger refuses updates and deletes); only this job switches that off, for its own
transactions, through `odoo_sync.purge_sync_log` (migration 011), so the DAGs' own login (a member of
`odoo_sync_writer`) needs no DELETE on the table. Health pings are pruned by `odoo_health` itself.
"""

with DAG(
    dag_id="odoo_sync_maintenance",
    description="Retention of the sync_log audit trail",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-engineering", "retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["odoo", "odoo-sync", "maintenance"],
    doc_md=DOC,
):

    @task
    def migrate_schema() -> None:
        from odoo_sync.airflow import tasks

        tasks.migrate_schema()

    @task
    def purge_sync_log(**context: Any) -> int:
        from odoo_sync.store import retention

        return retention.purge_for_run(context)

    migrate_schema() >> purge_sync_log()
