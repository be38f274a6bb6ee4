"""Surface invalid tenants.yaml entries (or a missing file) as one Airflow DAG import error, keeping the valid tenants.

The valid tenants' DAGs load from odoo_sync_tenants.py; this file defines no DAG and only fails to import
(naming each bad tenant and field) while the file has errors.
"""

from __future__ import annotations

from odoo_sync.config import TenantConfigError, load_tenants, use_tenants_file_beside

use_tenants_file_beside(__file__)
_errors = load_tenants().errors
if _errors:
    raise TenantConfigError("invalid tenants in tenants.yaml:\n" + "\n".join(_errors))
