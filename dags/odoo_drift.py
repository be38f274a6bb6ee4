"""Airflow DAGs `odoo_drift__<tenant_id>`: a daily, read-only drift check per tenant (wiring only).

The work is in odoo_sync.drift; the manual is the runbook's drift chapter
(odoo_sync/runbook/integration-health.md, section "Drift: Odoo changed by hand"). Tenants: as in odoo_sync_tenants.py.
"""

from __future__ import annotations

from airflow.sdk import get_parsing_context

from odoo_sync.airflow.drift_dag import build_drift_dag
from odoo_sync.config import load_tenants, use_tenants_file_beside
from odoo_sync.health.settings import load_settings

use_tenants_file_beside(__file__)
_wanted = get_parsing_context().dag_id  # a worker running one task needs only that tenant's DAG
_alert_hours = load_settings().drift_alert_after_hours  # env and the tenants file; no database or network
for _tenant in load_tenants().tenants:
    _dag_id = f"odoo_drift__{_tenant.tenant_id}"
    if _wanted is None or _wanted == _dag_id:
        globals()[_dag_id] = build_drift_dag(_tenant, _alert_hours)
