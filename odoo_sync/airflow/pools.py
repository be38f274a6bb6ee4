"""Airflow pools, one per tenant (`odoo_<tenant_id>`), bounding concurrent calls to each tenant's Odoo.

A task whose pool does not exist is never scheduled, so pools are created with the tenants:
``python -m odoo_sync.airflow.pools > pools.json && airflow pools import pools.json`` (docker's airflow-init does it).
"""

from __future__ import annotations

import json
from typing import Any

from odoo_sync.config import TenantConfig, load_tenants


def pools_for(tenants: list[TenantConfig]) -> dict[str, dict[str, Any]]:
    """The `airflow pools import` document for these tenants."""
    return {
        t.pool: {"slots": t.pool_slots, "description": f"Concurrent Odoo calls for tenant {t.tenant_id}"}
        for t in tenants
    }


def main() -> None:
    print(json.dumps(pools_for(load_tenants().tenants), indent=2))


if __name__ == "__main__":
    main()
