"""project.project in Odoo 17: linked to its analytic account by analytic_account_id; only name required."""

from __future__ import annotations

import xmlrpc.client

import pytest

from tests.contract.conftest import ACCOUNT, PROJECT, OdooTarget
from tests.fake_odoo import FakeOdoo

pytestmark = pytest.mark.contract


def test_project_needs_only_a_name_and_gets_no_account_by_itself(odoo: OdooTarget) -> None:
    project = odoo.create(PROJECT, {"name": f"{odoo.prefix}P"})
    row = odoo.call(PROJECT, "read", [project], ["name", "analytic_account_id", "active"])[0]
    assert row == {"id": project, "name": f"{odoo.prefix}P", "analytic_account_id": False, "active": True}
    fault = odoo.fault(PROJECT, "create", {"description": "no name"})
    assert fault.faultCode == 2 and "Field: Name (name)" in fault.faultString


def test_renaming_a_project_renames_its_own_account(odoo: OdooTarget) -> None:
    account = odoo.account(odoo.project_plan(), "proj")
    project = odoo.create(PROJECT, {"name": f"{odoo.prefix}old", "analytic_account_id": account})
    odoo.call(PROJECT, "write", [project], {"name": f"{odoo.prefix}new"})
    assert odoo.call(ACCOUNT, "read", [account], ["name"])[0]["name"] == f"{odoo.prefix}new"
    assert odoo.call(ACCOUNT, "read", [account], ["project_ids", "project_count"])[0] == {
        "id": account,
        "project_ids": [project],
        "project_count": 1,
    }


def test_a_shared_account_is_not_renamed(odoo: OdooTarget) -> None:
    account = odoo.account(odoo.project_plan(), "shared")
    first = odoo.create(PROJECT, {"name": f"{odoo.prefix}one", "analytic_account_id": account})
    odoo.create(PROJECT, {"name": f"{odoo.prefix}two", "analytic_account_id": account})
    odoo.call(PROJECT, "write", [first], {"name": f"{odoo.prefix}renamed"})
    assert odoo.call(ACCOUNT, "read", [account], ["name"])[0]["name"] == f"{odoo.prefix}shared"


def test_odoo_18_shape(fake: FakeOdoo) -> None:
    with FakeOdoo(version=18) as srv:
        proxy = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/object")
        fields = proxy.execute_kw(srv.db, 2, srv.password, PROJECT, "fields_get", [], {"attributes": ["type"]})
        assert "analytic_account_id" not in fields
        assert {"account_id", "x_plan2_id", "x_plan3_id", "x_plan4_id"} <= set(fields)
        account = proxy.execute_kw(srv.db, 2, srv.password, ACCOUNT, "create", [{"name": "A", "plan_id": 3}])
        project = proxy.execute_kw(srv.db, 2, srv.password, PROJECT, "create", [{"name": "P", "x_plan3_id": account}])
        row = proxy.execute_kw(srv.db, 2, srv.password, PROJECT, "read", [[project], ["x_plan3_id"]])
        assert row == [{"id": project, "x_plan3_id": [account, "A"]}]


def test_odoo_16_has_no_plan_columns(fake: FakeOdoo) -> None:
    with FakeOdoo(version=16) as srv:
        proxy = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/object")
        fields = proxy.execute_kw(
            srv.db, 2, srv.password, "account.analytic.line", "fields_get", [], {"attributes": ["type"]}
        )
        assert "account_id" in fields and not any(name.startswith("x_plan") for name in fields)
