"""Airflow DAGs `odoo_sync__<tenant_id>`: one per valid tenant in include/tenants.yaml (wiring only)."""

from __future__ import annotations

from airflow.sdk import get_parsing_context

from odoo_sync.airflow.dag_factory import build_tenant_dag
from odoo_sync.config import load_tenants

_wanted = get_parsing_context().dag_id  # a worker running one task needs only that tenant's DAG
for _tenant in load_tenants().tenants:
    if _wanted is None or _wanted == _tenant.dag_id:
        globals()[_tenant.dag_id] = build_tenant_dag(_tenant)
