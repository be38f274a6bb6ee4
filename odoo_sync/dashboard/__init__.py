"""The read-only *Odoo integration health* page of the Airflow UI (a FastAPI app mounted by the plugin)."""
