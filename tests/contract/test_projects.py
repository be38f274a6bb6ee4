"""project.project: linked to its project-plan account by analytic_account_id (17) or account_id (18+, with the
other plans' columns too); only name required."""

from __future__ import annotations

import xmlrpc.client

import pytest

from odoo_test_server import FakeOdoo, versions
from tests.contract.conftest import ACCOUNT, PROJECT, OdooTarget, names_required_field, real_odoo_configured

pytestmark = pytest.mark.contract


def test_project_needs_only_a_name_and_gets_no_account_by_itself(odoo: OdooTarget) -> None:
    link = odoo.project_link
    project = odoo.create(PROJECT, {"name": f"{odoo.prefix}P"})
    row = odoo.call(PROJECT, "read", [project], ["name", link, "active"])[0]
    assert row == {"id": project, "name": f"{odoo.prefix}P", link: False, "active": True}
    fault = odoo.fault(PROJECT, "create", {"description": "no name"})
    assert fault.faultCode == 2 and names_required_field(fault.faultString, "Name", "name")


def test_the_link_field_follows_the_version(odoo: OdooTarget) -> None:
    """17: analytic_account_id; 18: account_id, a plan column like x_plan<ID>_id (projects carry them too)."""
    fields = odoo.call(PROJECT, "fields_get", attributes=["type", "relation"])
    assert odoo.project_link == versions.project_field(odoo.version)
    columns = {f"x_plan{p['id']}_id" for p in odoo.root_plans() if p["id"] != odoo.project_plan()}
    if odoo.version < 18:
        assert not columns & set(fields) and "account_id" not in fields
        return
    assert "analytic_account_id" not in fields and columns <= set(fields)
    assert fields["auto_account_id"] == {"type": "many2one", "relation": ACCOUNT}
    plan_id, column = odoo.plan_column()
    account = odoo.account(plan_id, "A")
    project = odoo.create(PROJECT, {"name": f"{odoo.prefix}P", column: account})
    row = odoo.call(PROJECT, "read", [project], [column])
    assert row == [{"id": project, column: [account, f"[{odoo.prefix}A] {odoo.prefix}A"]}]


def test_renaming_a_project_renames_its_own_account(odoo: OdooTarget) -> None:
    account = odoo.account(odoo.project_plan(), "proj")
    project = odoo.create(PROJECT, {"name": f"{odoo.prefix}old", odoo.project_link: account})
    odoo.call(PROJECT, "write", [project], {"name": f"{odoo.prefix}new"})
    assert odoo.call(ACCOUNT, "read", [account], ["name"])[0]["name"] == f"{odoo.prefix}new"
    assert odoo.call(ACCOUNT, "read", [account], ["project_ids", "project_count"])[0] == {
        "id": account,
        "project_ids": [project],
        "project_count": 1,
    }


def test_a_shared_account_is_not_renamed(odoo: OdooTarget) -> None:
    account = odoo.account(odoo.project_plan(), "shared")
    first = odoo.create(PROJECT, {"name": f"{odoo.prefix}one", odoo.project_link: account})
    odoo.create(PROJECT, {"name": f"{odoo.prefix}two", odoo.project_link: account})
    odoo.call(PROJECT, "write", [first], {"name": f"{odoo.prefix}renamed"})
    assert odoo.call(ACCOUNT, "read", [account], ["name"])[0]["name"] == f"{odoo.prefix}shared"


def test_odoo_16_has_no_plan_columns() -> None:
    if real_odoo_configured():
        pytest.skip("a fake Odoo 16 only")
    with FakeOdoo(version=16) as srv:
        proxy = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/object")
        fields = proxy.execute_kw(
            srv.db, 2, srv.password, "account.analytic.line", "fields_get", [], {"attributes": ["type"]}
        )
        assert "account_id" in fields and not any(name.startswith("x_plan") for name in fields)
