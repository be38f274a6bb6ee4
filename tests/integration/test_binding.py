"""Forgetting a tenant's binding (it moved to a new Odoo): its next run starts afresh."""

from __future__ import annotations

import psycopg
import pytest

from odoo_sync.errors import OdooSetupError
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.store.bindings import forget
from odoo_sync.sync.binding import check_binding, odoo_identity
from odoo_sync.sync.context import OdooContext
from odoo_test_server import FakeOdoo

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


def _context(identity: str) -> OdooContext:
    return OdooContext("17.0", 2, {}, "account_id", 1, "EUR", odoo_identity=identity)


def _bound_identity(db: psycopg.Connection) -> str:
    row = db.execute("SELECT odoo_identity FROM odoo_sync.tenant_binding WHERE tenant_id = 'acme'").fetchone()
    db.commit()
    return str(row[0]) if row else ""


def test_an_integration_user_made_admin_later_stays_bound_and_the_uuid_is_recorded(
    odoo: FakeOdoo, hook: OdooHook, db: psycopg.Connection
) -> None:
    odoo.deny_access = {"ir.config_parameter"}  # a non-admin user: database.uuid is not readable
    fallback = odoo_identity(hook)
    assert fallback.startswith("url:")
    check_binding(db, "acme", hook, _context(fallback))
    odoo.deny_access = set()  # made admin
    uuid = odoo_identity(hook)
    assert uuid == f"uuid:{odoo.get_param('database.uuid')}"
    check_binding(db, "acme", hook, _context(uuid))  # was: "now reaches another database"
    assert _bound_identity(db) == uuid
    odoo.deny_access = {"ir.config_parameter"}  # admin rights removed again: same address, the uuid is kept
    check_binding(db, "acme", hook, _context(odoo_identity(hook)))
    assert _bound_identity(db) == uuid


def test_another_database_at_the_same_address_still_stops_the_tenant(
    odoo: FakeOdoo, hook: OdooHook, db: psycopg.Connection
) -> None:
    check_binding(db, "acme", hook, _context(odoo_identity(hook)))
    odoo.set_param("database.uuid", "a-restored-other-database")
    with pytest.raises(OdooSetupError, match="now reaches another database"):
        check_binding(db, "acme", hook, _context(odoo_identity(hook)))
