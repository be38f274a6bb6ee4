"""Every DAG file loads, is documented and retried, and does no I/O while being parsed."""

from __future__ import annotations

import itertools
import socket
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.conftest import REPO

DAGS = REPO / "dags"


@pytest.fixture(scope="module")
def bag(monkeypatch_module: pytest.MonkeyPatch) -> DagBag:
    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def monkeypatch_module() -> pytest.MonkeyPatch:
    """Parsing must not open a socket (no database, no Odoo): any attempt fails the test."""
    mp = pytest.MonkeyPatch()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network or database access while parsing DAGs: {args}")

    mp.setattr(socket.socket, "connect", refuse)
    mp.setattr(socket, "create_connection", refuse)
    yield mp
    mp.undo()


def test_no_import_errors(bag: DagBag) -> None:
    assert bag.import_errors == {}


def test_one_dag_per_tenant(bag: DagBag) -> None:
    assert "odoo_sync__acme" in bag.dags


def test_dags_have_docs_tags_owner_and_retries(bag: DagBag) -> None:
    assert bag.dags
    for dag_id, dag in bag.dags.items():
        assert dag.doc_md and dag.tags, dag_id
        for t in dag.tasks:
            assert t.owner and t.owner != "airflow", (dag_id, t.task_id)
            assert t.retries >= 2, (dag_id, t.task_id)


def test_tenant_dag_order_and_guards(bag: DagBag) -> None:
    dag = bag.dags["odoo_sync__acme"]
    assert dag.max_active_runs == 1
    order = ["projects", "budget_categories", "budget_lines", "analytic_lines"]
    for upstream, downstream in itertools.pairwise(order):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    assert {"migrate_schema"} == dag.get_task("check_odoo").upstream_task_ids
    assert all(dag.get_task(t).pool == "odoo_acme" for t in order)
    assert {"source_changed"} == dag.get_task("migrate_schema").upstream_task_ids  # the gate comes first
    assert dag.get_task("source_changed").upstream_task_ids == set()
    # event-driven by default: the cron OR the source-changes asset that the triggerer's watcher fires
    assert type(dag.timetable).__name__ == "AssetOrTimeSchedule"
    assert type(dag.timetable.timetable).__name__ == "CronDataIntervalTimetable"
    (asset,) = dag.timetable.asset_condition.objects
    assert asset.uri == "togrant://acme/changes"
    (watcher,) = asset.watchers
    assert watcher.trigger.serialize()[0] == "odoo_sync.airflow.watcher.SourceChangeTrigger"


def test_a_tenant_not_event_driven_keeps_its_cron_only(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "tenants.yaml"
    config.write_text("tenants:\n  - {tenant_id: calm, display_name: Calm, event_driven: false}\n")
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(config))
    dag = DagBag(dag_folder=str(DAGS)).dags["odoo_sync__calm"]
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert "source_changed" in dag.task_ids  # the gate makes its quiet scheduled runs free too


def test_a_bad_tenant_is_one_clear_import_error_and_others_still_load(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "tenants.yaml"
    config.write_text(
        "tenants:\n"
        "  - {tenant_id: good, display_name: Good}\n"
        "  - {tenant_id: bad, display_name: Bad, timezone: Mars/Olympus}\n"
    )
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(config))
    bag = DagBag(dag_folder=str(DAGS))
    assert "odoo_sync__good" in bag.dags and "odoo_sync__bad" not in bag.dags
    (error,) = bag.import_errors.values()
    assert "tenant bad" in error and "timezone" in error
