"""The maintenance DAG removes sync_log rows past the retention window, and only those."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration


def test_daily_run_purges_rows_older_than_the_window(
    airflow_db: None, db: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("ODOO_SYNC_LOG_KEEP_DAYS", "30")
    db.execute(
        "INSERT INTO odoo_sync.sync_log (ts, tenant_id, method, outcome) VALUES"
        " ('2026-01-01', 'acme', 'create', 'ok'), ('2026-02-20', 'acme', 'create', 'ok'),"
        " ('2026-03-09', 'acme', 'create', 'ok')"
    )
    db.commit()
    dag = DagBag(dag_folder=str(REPO / "dags")).dags["odoo_sync_maintenance"]
    run = dag.test(logical_date=datetime(2026, 3, 10, tzinfo=UTC))  # interval end 2026-03-10: cutoff 02-08
    assert str(run.state) == "success"
    kept = [r[0].date().isoformat() for r in db.execute("SELECT ts FROM odoo_sync.sync_log ORDER BY ts")]
    assert kept == ["2026-02-20", "2026-03-09"]


def test_keep_days_setting_is_validated() -> None:
    from odoo_sync.store.retention import keep_days_setting

    assert keep_days_setting({}) == 400
    assert keep_days_setting({"ODOO_SYNC_LOG_KEEP_DAYS": "90"}) == 90
    with pytest.raises(ValueError, match="ODOO_SYNC_LOG_KEEP_DAYS"):
        keep_days_setting({"ODOO_SYNC_LOG_KEEP_DAYS": "a year"})
