"""Airflow provider metadata: the ``odoo`` connection type and its UI form, the ``odoo://`` asset URIs.

Shaped like Airflow 3's own providers' ``get_provider_info`` (e.g. apache-airflow-providers-smtp): an
integration, the hook modules under it, the connection type with its form, asset URIs. No ``versions`` key
(Airflow 3 reads the version from the distribution's metadata) and no ``plugins`` key: the health page is
the ``airflow.plugins`` entry point (pyproject.toml), which every component loads; listing it here too would
load it a second time under ``[core] lazy_discover_providers = False`` ("Plugin 'odoo_health' already
registered").
"""

from __future__ import annotations

from typing import Any

INTEGRATION = "Odoo"


def get_provider_info() -> dict[str, Any]:
    """Entry point ``apache_airflow_provider``: read by Airflow's ProvidersManager."""
    return {
        "package-name": "togrant-odoo-sync",
        "name": "Odoo (togrant-odoo-sync)",
        "description": "Odoo external API (XML-RPC, and JSON-2 on Odoo 19+) hook used by togrant-odoo-sync.",
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://www.odoo.com/documentation/17.0/developer/reference/external_api.html",
                "tags": ["software"],
            }
        ],
        "hooks": [{"integration-name": INTEGRATION, "python-modules": ["odoo_sync.odoo.hook"]}],
        # Lineage (docs/lineage.md): odoo://<host>/<db>/<model> assets, OpenLineage namespace odoo://<host>/<db>.
        "asset-uris": [
            {
                "schemes": ["odoo"],
                "handler": "odoo_sync.odoo.lineage.sanitize_uri",
                "factory": "odoo_sync.odoo.lineage.create_asset",
                "to_openlineage_converter": "odoo_sync.odoo.lineage.convert_asset_to_openlineage",
            }
        ],
        "connection-types": [
            {
                "connection-type": "odoo",
                "hook-class-name": "odoo_sync.odoo.hook.OdooHook",
                "hook-name": INTEGRATION,
                "ui-field-behaviour": {
                    "hidden-fields": ["port", "extra"],
                    "relabeling": {
                        "host": "Odoo URL",
                        "schema": "Database",
                        "login": "Login",
                        "password": "Password or API key",
                    },
                    "placeholders": {
                        "host": "https://acme.odoo.com",
                        "schema": "acme-production",
                        "login": "integration@acme.org",
                        "password": "an API key from Preferences > Account Security",
                    },
                },
                "conn-fields": {
                    "api": {
                        "label": "API",
                        "description": (
                            "auto: JSON-2 on Odoo 19+ when the secret is an API key, else XML-RPC; "
                            "json2: Odoo 19+ with an API key only; xmlrpc: deprecated from Odoo 19."
                        ),
                        "schema": {"type": ["string", "null"], "default": "auto", "enum": ["auto", "json2", "xmlrpc"]},
                    },
                    "timeout": {
                        "label": "Timeout (seconds)",
                        "schema": {"type": ["integer", "null"], "default": 60, "minimum": 1},
                    },
                    "verify_tls": {
                        "label": "Verify TLS certificate",
                        "schema": {"type": ["boolean", "null"], "default": True},
                    },
                    "tenant_id": {
                        "label": "Tenant id",
                        "description": "The only tenant whose DAGs may use this connection.",
                        "schema": {"type": ["string", "null"]},
                    },
                    "api_key_expires": {
                        "label": "API key expiry date",
                        "description": "YYYY-MM-DD; the health pill turns amber as it nears.",
                        "schema": {"type": ["string", "null"], "format": "date"},
                    },
                },
            }
        ],
    }
