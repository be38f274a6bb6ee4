"""Register the *Odoo integration health* page in the Airflow UI; the app lives in odoo_sync.dashboard."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from odoo_sync.dashboard.app import create_app

URL_PREFIX = "/odoo-health"


class OdooHealthPlugin(AirflowPlugin):
    name = "odoo_health"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "Odoo integration health"}]
    external_views = [
        {
            "name": "Odoo integration health",
            "href": f"{URL_PREFIX}/",
            "destination": "nav",
            "url_route": "odoo-health",
            "category": "browse",
        }
    ]
