"""Airflow DAGs `odoo_sync__<tenant_id>`: one per valid tenant in the tenants file (wiring only).

Works from any DAG folder: the tenants file is `tenants.yaml` beside this file, else `../include/tenants.yaml`,
unless ODOO_SYNC_TENANTS_FILE names one (docs/deploy.md).
"""

from __future__ import annotations

from airflow.sdk import get_parsing_context

from odoo_sync.airflow.dag_factory import build_tenant_dag
from odoo_sync.config import load_tenants, use_tenants_file_beside

use_tenants_file_beside(__file__)  # the tasks, parsed from the same DAG bundle, read the same file
_wanted = get_parsing_context().dag_id  # a worker running one task needs only that tenant's DAG
for _tenant in load_tenants().tenants:
    if _wanted is None or _wanted == _tenant.dag_id:
        globals()[_tenant.dag_id] = build_tenant_dag(_tenant)
