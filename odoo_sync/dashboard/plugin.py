"""The *Odoo integration health* page as an Airflow plugin, registered by the package's ``airflow.plugins`` entry
point (pyproject.toml): installing the package brings the page; no file in the deployment's plugins folder."""

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
            # Relative: the UI resolves it against its <base href>, so it works under `[api] base_url`'s path.
            # The page's own links are relative to it too.
            "href": f"{URL_PREFIX.lstrip('/')}/",
            "destination": "nav",
            "url_route": "odoo-health",
            "category": "browse",
        }
    ]
