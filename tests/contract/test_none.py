"""None over XML-RPC: Odoo runs without allow_none for answers; <nil/> in a request is decoded as None."""

from __future__ import annotations

import xmlrpc.client

import pytest

from odoo_test_server import FakeOdoo
from tests.contract.conftest import LINE, OdooTarget, last_line, names_required_field

pytestmark = pytest.mark.contract


def test_a_method_returning_none_is_fault_1(odoo: OdooTarget) -> None:
    fault = odoo.fault(LINE, "check_access_rule", [], "read")
    assert fault.faultCode == 1
    assert last_line(fault.faultString) == "TypeError: cannot marshal None unless allow_none is enabled"


def test_the_standard_client_refuses_to_send_none(odoo: OdooTarget) -> None:
    with pytest.raises(TypeError, match="cannot marshal None"):
        odoo.call(LINE, "search_read", [], fields=None)


def test_nil_in_a_request_is_read_as_none(odoo: OdooTarget) -> None:
    """Odoo decodes requests with xmlrpc.client.loads, which accepts <nil/>: None then acts like False."""
    proxy = odoo.proxy("object", allow_none=True)

    def call(method: str, *args: object, **kwargs: object) -> object:
        return proxy.execute_kw(odoo.db, odoo.uid, odoo.password, LINE, method, list(args), kwargs)

    line = call("create", {"name": f"{odoo.prefix}nil", "ref": None, "amount": None, "partner_id": None})
    odoo.created.setdefault(LINE, []).append(line)  # type: ignore[arg-type]
    rows = call("search_read", [("id", "=", line)], fields=None, limit=None)
    assert rows and rows[0]["ref"] is False and rows[0]["amount"] == 0.0 and rows[0]["partner_id"] is False
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("create", {"name": f"{odoo.prefix}nil", "date": None})
    assert fault.value.faultCode == 2 and names_required_field(fault.value.faultString, "Date", "date")


def test_reject_nil_switch_makes_nil_a_fault(odoo: OdooTarget, fake: FakeOdoo) -> None:
    fake.reject_nil = True
    proxy = odoo.proxy("object", allow_none=True)
    with pytest.raises(xmlrpc.client.Fault) as info:
        proxy.execute_kw(odoo.db, odoo.uid, odoo.password, LINE, "search_read", [[]], {"fields": None})
    assert info.value.faultCode == 1 and "<nil/>" in last_line(info.value.faultString)
    assert fake.count() == 0
