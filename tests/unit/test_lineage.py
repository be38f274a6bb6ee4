"""The odoo:// asset scheme, its OpenLineage names and the source relations each SQL file reads."""

from __future__ import annotations

import warnings
from urllib.parse import urlsplit

import pytest

from odoo_sync.odoo import lineage
from odoo_sync.paths import SOURCE_SQL_DIR


@pytest.mark.parametrize(
    ("url", "netloc"),
    [
        ("http://127.0.0.1:8069", "127.0.0.1:8069"),
        ("https://ACME.odoo.com", "acme.odoo.com"),
        ("https://acme.odoo.com:443/", "acme.odoo.com"),
        ("http://odoo.internal:80", "odoo.internal"),
        ("acme.odoo.com", "acme.odoo.com"),
        ("http://[::1]:8069", "[::1]:8069"),
    ],
)
def test_the_namespace_names_the_server_as_its_url_does(url: str, netloc: str) -> None:
    assert lineage.odoo_netloc(url) == netloc


def test_an_odoo_model_is_a_dataset_in_its_server_and_database() -> None:
    asset = lineage.create_asset(url="https://Acme.odoo.com", database="acme-prod", model="account.analytic.line")
    assert asset.uri == "odoo://acme.odoo.com/acme-prod/account.analytic.line"
    dataset = lineage.convert_asset_to_openlineage(asset, None)
    assert (dataset.namespace, dataset.name) == ("odoo://acme.odoo.com/acme-prod", "account.analytic.line")


def test_the_normaliser_accepts_both_odoo_uri_shapes_and_refuses_others() -> None:
    def norm(uri: str) -> str:
        return lineage.sanitize_uri(urlsplit(uri)).geturl()

    assert norm("odoo://HOST:8069/acme/project.project/") == "odoo://host:8069/acme/project.project"
    assert norm("odoo://acme/account.analytic.line") == "odoo://acme/account.analytic.line"  # a tenant's asset
    for bad in ("odoo:///acme/project.project", "odoo://h/a/b/project.project", "odoo://h/acme/Not A Model"):
        with pytest.raises(ValueError, match="odoo://"):
            norm(bad)


def test_every_source_query_reads_the_contracts_relations() -> None:
    reads = {path.stem: lineage.relations_read(path.stem) for path in SOURCE_SQL_DIR.glob("*.sql")}
    reads.pop("schema")  # the contract's DDL, not a query the sync runs
    assert reads == {
        "projects": (("togrant", "projects"),),
        "budget_categories": (("togrant", "budget_categories"),),
        "budget_lines": (("togrant", "budget_lines"),),
        "spending_lines_by_id": (("togrant", "spending_lines"),),
        "spending_lines_changed": (("togrant", "spending_lines"),),
        "spending_lines_changed_count": (("togrant", "spending_lines"),),
        "spending_lines_fingerprint": (("togrant", "spending_lines"),),
        "change_markers": (  # the watcher's probe (not reported as a run's lineage, but it is a contract read)
            ("togrant", "budget_categories"),
            ("togrant", "budget_lines"),
            ("togrant", "projects"),
            ("togrant", "spending_lines"),
        ),
    }


def test_the_provider_registers_the_scheme_with_airflow() -> None:
    from airflow.sdk import Asset
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runtime = ProvidersManagerTaskRuntime()
        assert runtime.asset_uri_handlers["odoo"] is lineage.sanitize_uri
        assert runtime.asset_factories["odoo"] is lineage.create_asset
        assert runtime.asset_to_openlineage_converters["odoo"] is lineage.convert_asset_to_openlineage
        assert Asset("odoo://Host:8069/acme/project.project").uri == "odoo://host:8069/acme/project.project"


def test_openlineage_translates_the_asset_with_the_registered_converter() -> None:
    from airflow.providers.openlineage.utils.utils import translate_airflow_asset

    asset = lineage.create_asset(url="http://127.0.0.1:8069", database="acme", model="project.project")
    dataset = translate_airflow_asset(asset, None)
    assert dataset is not None
    assert (dataset.namespace, dataset.name) == ("odoo://127.0.0.1:8069/acme", "project.project")


def test_lineage_is_collected_only_while_a_task_runs() -> None:
    """Outside a task there is no event to attach it to (and the collector's creation would load every plugin)."""
    from airflow.sdk.execution_time.context import set_current_context
    from airflow.sdk.lineage import HookLineageCollector

    assert lineage._collector() is None
    with set_current_context({}):  # type: ignore[arg-type]
        assert isinstance(lineage._collector(), HookLineageCollector)
