"""Forgetting a tenant's binding (it moved to a new Odoo): its next run starts afresh."""

from __future__ import annotations

import psycopg
import pytest

from odoo_sync.store.bindings import forget

pytestmark = pytest.mark.integration


def test_forget_removes_the_binding_records_cursor_and_ledger_of_that_tenant_only(db: psycopg.Connection) -> None:
    for tenant in ("acme", "globex"):
        db.execute(
            "INSERT INTO odoo_sync.tenant_binding (tenant_id, odoo_identity, odoo_url, odoo_db, plans)"
            " VALUES (%s, %s, 'http://odoo', %s, '{}')",
            (tenant, f"uuid:{tenant}", tenant),
        )
        db.execute(
            "INSERT INTO odoo_sync.record (tenant_id, entity_type, entity_id, odoo_model, odoo_id, state)"
            " VALUES (%s, 'line', 'SL-1', 'account.analytic.line', 7, 'present')",
            (tenant,),
        )
        db.execute(
            "INSERT INTO odoo_sync.watermark (tenant_id, entity_type, watermark) VALUES (%s, 'line', now())", (tenant,)
        )
    db.commit()
    assert forget(db, "acme") == 3
    left = db.execute(
        "SELECT (SELECT count(*) FROM odoo_sync.tenant_binding), (SELECT count(*) FROM odoo_sync.record),"
        " (SELECT count(*) FROM odoo_sync.watermark)"
    ).fetchone()
    assert left == (1, 1, 1)
