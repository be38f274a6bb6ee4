"""One tenants file wherever code runs: the DAG files work from any DAG folder, and their tasks read the same file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from odoo_sync import paths
from odoo_sync.config import load_tenants, tenant_by_id
from tests.conftest import REPO


def tenants(*ids: str) -> str:
    return "tenants:\n" + "".join(f"  - {{tenant_id: {i}, display_name: {i.title()}}}\n" for i in ids)


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's DAG files copied into a DAG folder elsewhere; no ODOO_SYNC_TENANTS_FILE."""
    dags = tmp_path / "deployment" / "dags"
    shutil.copytree(REPO / "dags", dags, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.delenv(paths.TENANTS_FILE_ENV, raising=False)
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(tmp_path / "configured-dags-folder"))
    monkeypatch.setattr(paths, "_dag_folder", None)
    return dags


def test_the_file_beside_the_dag_files_builds_the_dags_and_feeds_their_tasks(elsewhere: Path) -> None:
    (elsewhere / "tenants.yaml").write_text(tenants("globex", "initech"))
    bag = DagBag(dag_folder=str(elsewhere))
    assert bag.import_errors == {}
    assert {"odoo_sync__globex", "odoo_sync__initech", "odoo_drift__globex", "odoo_health"} <= set(bag.dags)
    # A task runs in the process that parsed its DAG file (Airflow 3's task runner, dag.test()): same file.
    assert paths.tenants_file() == elsewhere / "tenants.yaml"
    assert tenant_by_id("initech").display_name == "Initech"


def test_include_beside_the_dag_folder_is_the_project_layout(elsewhere: Path) -> None:
    include = elsewhere.parent / "include"
    include.mkdir()
    (include / "tenants.yaml").write_text(tenants("hooli"))
    bag = DagBag(dag_folder=str(elsewhere))
    assert bag.import_errors == {} and "odoo_sync__hooli" in bag.dags


def test_the_variable_wins_everywhere(elsewhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (elsewhere / "tenants.yaml").write_text(tenants("globex"))
    shared = tmp_path / "configmap" / "tenants.yaml"
    shared.parent.mkdir()
    shared.write_text(tenants("umbrella"))
    monkeypatch.setenv(paths.TENANTS_FILE_ENV, str(shared))
    bag = DagBag(dag_folder=str(elsewhere))
    assert "odoo_sync__umbrella" in bag.dags and "odoo_sync__globex" not in bag.dags


def test_a_process_that_parses_no_dag_file_reads_beside_the_configured_dags_folder(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The triggerer (the Deadline callback) and the CLI (pools): Airflow's [core] dags_folder."""
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(elsewhere))
    (elsewhere / "tenants.yaml").write_text(tenants("globex"))
    assert [t.tenant_id for t in load_tenants().tenants] == ["globex"]


def test_no_tenants_file_is_one_import_error_naming_where_it_looked(elsewhere: Path) -> None:
    bag = DagBag(dag_folder=str(elsewhere))
    (error,) = [e for f, e in bag.import_errors.items() if f.endswith("odoo_sync_config_check.py")]
    assert str(elsewhere / "tenants.yaml") in error and str(elsewhere.parent / "include" / "tenants.yaml") in error
    assert paths.TENANTS_FILE_ENV in error
    assert "odoo_sync_maintenance" in bag.dags  # the other DAG files still load
