"""The project registers the `odoo` connection type with Airflow through its provider entry point."""

from __future__ import annotations

import warnings

from airflow.providers_manager import ProvidersManager


def manager() -> ProvidersManager:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ProvidersManager()


def test_odoo_connection_type_is_listed_with_its_hook() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hook = manager().hooks.get("odoo")
    assert hook is not None
    assert (hook.hook_class_name, hook.package_name, hook.connection_id_attribute_name) == (
        "odoo_sync.odoo.hook.OdooHook",
        "togrant-odoo-sync",
        "odoo_conn_id",
    )
    assert hook.connection_testable  # the UI's Test button calls OdooHook.test_connection


def test_the_form_is_odoo_shaped() -> None:
    pm = manager()
    behaviour = pm.field_behaviours["odoo"]
    assert behaviour["relabeling"] == {
        "host": "Odoo URL",
        "schema": "Database",
        "login": "Login",
        "password": "Password or API key",
    }
    fields = {name for name in pm.connection_form_widgets if name.startswith("extra__odoo__")}
    assert {"extra__odoo__timeout", "extra__odoo__verify_tls", "extra__odoo__tenant_id"} <= fields


def test_the_dashboard_plugin_comes_with_the_package() -> None:
    """Installing the package registers the page (entry point ``airflow.plugins``), not the plugins folder."""
    from airflow import plugins_manager

    from odoo_sync.dashboard.plugin import OdooHealthPlugin

    plugins, errors = plugins_manager._load_entrypoint_plugins()
    assert [p for p in plugins if p.name == "odoo_health"] and not errors
    assert OdooHealthPlugin.name == "odoo_health"
    view = OdooHealthPlugin.external_views[0]
    assert not view["href"].startswith("/")  # resolved against the UI's <base href>: works under a URL prefix


def test_the_provider_info_is_valid_for_airflow_3_and_versioned_by_the_distribution() -> None:
    """Airflow's own schema for get_provider_info; the version comes from the package, as for Airflow's providers."""
    import json
    from importlib.metadata import version
    from importlib.resources import files

    import jsonschema

    import odoo_sync
    from odoo_sync.airflow.provider import get_provider_info

    info = get_provider_info()
    jsonschema.validate(info, json.loads(files("airflow").joinpath("provider_info.schema.json").read_text()))
    assert "versions" not in info and "plugins" not in info  # see provider.py's docstring
    assert version(info["package-name"]) == odoo_sync.__version__
    assert manager().providers[info["package-name"]].version == odoo_sync.__version__


def test_the_page_is_registered_once_even_when_providers_are_loaded_eagerly(monkeypatch) -> None:
    """The "already registered" warning came from a second registration; neither path may add one."""
    from airflow import plugins_manager, settings

    monkeypatch.setattr(settings, "LAZY_LOAD_PROVIDERS", False)
    plugins_manager._get_plugins.cache_clear()
    try:
        plugins, errors = plugins_manager._get_plugins()
    finally:
        plugins_manager._get_plugins.cache_clear()
    assert [p.name for p in plugins].count("odoo_health") == 1
    assert not [message for message in errors.values() if "odoo_health" in message], errors
