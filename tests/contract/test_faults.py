"""Every failure recorded in faults.json, reproduced: same fault code, same text (the last line of the
traceback for fault 1, the whole message otherwise)."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.conftest import ACCOUNT, LINE, PLAN, OdooTarget, last_line, recorded_last_line

pytestmark = pytest.mark.contract


def _wrong_password(o: OdooTarget) -> Any:
    return o.proxy("object").execute_kw(o.db, o.uid, "wrong-password", LINE, "search", [[]])


def _wrong_uid(o: OdooTarget) -> Any:
    return o.proxy("object").execute_kw(o.db, 9999, o.password, LINE, "search", [[]])


def _account_in_lines(o: OdooTarget) -> Any:
    account = o.account(o.project_plan(), "used")
    o.create(LINE, {"name": f"{o.prefix}l", "ref": f"{o.prefix}l", "amount": 1.0, "account_id": account})
    return o.call(ACCOUNT, "unlink", [account])


CASES: dict[str, Callable[[OdooTarget], Any]] = {
    "execute_kw wrong pw": _wrong_password,
    "execute_kw wrong uid": _wrong_uid,
    "missing required (line w/o name)": lambda o: o.call(LINE, "create", {"amount": 1.0}),
    "missing required (line name=False)": lambda o: o.call(LINE, "create", {"name": False, "amount": 1.0}),
    "unknown field on create": lambda o: o.call(LINE, "create", {"name": "x", "x_plan999_id": 1}),
    "unknown field on write": lambda o: o.call(LINE, "write", o.create(LINE, {"name": f"{o.prefix}w"}), {"nope": 1}),
    "unknown field in domain": lambda o: o.call(LINE, "search", [("nope", "=", 1)]),
    "unknown field in read fields": lambda o: o.call(LINE, "search_read", [], fields=["nope"], limit=1),
    "non-existent model": lambda o: o.call("no.such.model", "search", []),
    "non-existent method": lambda o: o.call(LINE, "no_such_method", []),
    "private method": lambda o: o.call(LINE, "_read_group", []),
    "write non-existent id": lambda o: o.call(LINE, "write", [999999], {"name": "x"}),
    "unlink non-existent id": lambda o: o.call(LINE, "unlink", [999999]),
    "bad many2one id (account 999999)": lambda o: o.call(LINE, "create", {"name": "x", "account_id": 999999}),
    'bad type amount="abc"': lambda o: o.call(LINE, "create", {"name": "x", "amount": "abc"}),
    "bad date": lambda o: o.call(LINE, "create", {"name": "x", "amount": 1.0, "date": "2024-13-45"}),
    "method returning None (check_access_rule)": lambda o: o.call(LINE, "check_access_rule", [], "read"),
    "delete plan with accounts": _account_in_lines,
}


@pytest.mark.parametrize("label", list(CASES))
def test_recorded_fault(odoo: OdooTarget, recorded_faults: dict[str, Any], label: str) -> None:
    entry = recorded_faults[label]
    assert entry["kind"] == "fault"
    with pytest.raises(xmlrpc.client.Fault) as info:
        CASES[label](odoo)
    fault = info.value
    expected = entry["res"]
    assert fault.faultCode == expected["faultCode"], fault.faultString
    if expected["faultString"].startswith("TRACEBACK...last line: "):
        assert fault.faultString.startswith("Traceback (most recent call last):\n")
        assert last_line(fault.faultString) == recorded_last_line(entry)
    else:
        assert fault.faultString == expected["faultString"].replace("User: 2)", f"User: {odoo.uid})")


def test_every_recorded_fault_has_a_case(recorded_faults: dict[str, Any]) -> None:
    elsewhere = {
        "authenticate wrong db",
        "execute_kw wrong db",
        "unknown service",
        "unknown method on object svc",
        "check_access_rights",  # a fault from 18 (None returned)
    }
    faults = {label for label, entry in recorded_faults.items() if entry["kind"] == "fault"}
    assert faults - elsewhere == set(CASES)


def test_read_of_a_missing_id_is_empty(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    assert odoo.call(LINE, "read", [999999], ["name"]) == recorded_faults["read non-existent id"]["res"] == []


def test_exists_via_search(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    plan = odoo.project_plan()
    assert odoo.call(PLAN, "search", [("id", "=", plan)]) == [plan]
    if not odoo.real:
        assert recorded_faults["browse exists via search"]["res"] == [plan]


def test_check_access_rights(odoo: OdooTarget, recorded_faults: dict[str, Any]) -> None:
    """17 answers True; from 18 it wraps check_access and answers None (a fault) unless raise_exception=False."""
    entry = recorded_faults["check_access_rights"]
    if entry["kind"] == "result":
        assert odoo.call("res.users", "check_access_rights", "read") is entry["res"] is True
    else:
        fault = odoo.fault("res.users", "check_access_rights", "read")
        assert (fault.faultCode, last_line(fault.faultString)) == (1, recorded_last_line(entry))
    assert odoo.call(PLAN, "check_access_rights", "read", raise_exception=False) is True


def test_write_with_missing_and_existing_ids_names_the_first_missing_one_and_changes_nothing(
    odoo: OdooTarget,
) -> None:
    """Odoo 17 names only the first missing id (in the order given), not all of them."""
    line = odoo.create(LINE, {"name": f"{odoo.prefix}keep", "ref": f"{odoo.prefix}keep"})
    fault = odoo.fault(LINE, "write", [line, 999998, 999999], {"name": "changed"})
    assert fault.faultCode == 2
    assert fault.faultString == (
        f"Record does not exist or has been deleted.\n(Record: {LINE}(999998,), User: {odoo.uid})"
    )
    assert odoo.call(LINE, "read", [line], ["name"])[0]["name"] == f"{odoo.prefix}keep"
    fault = odoo.fault(LINE, "write", [999999, 999998], {"name": "changed"})
    assert fault.faultString == (
        f"Record does not exist or has been deleted.\n(Record: {LINE}(999999,), User: {odoo.uid})"
    )


def test_unlink_with_missing_and_existing_ids_names_the_first_missing_one_and_deletes_nothing(
    odoo: OdooTarget,
) -> None:
    line = odoo.create(LINE, {"name": f"{odoo.prefix}keep", "ref": f"{odoo.prefix}keep"})
    for model, ids in ((LINE, [line, 999998, 999999]), (ACCOUNT, [999998, 999999])):
        fault = odoo.fault(model, "unlink", ids)
        assert (fault.faultCode, fault.faultString) == (
            2,
            f"Record does not exist or has been deleted.\n(Record: {model}(999998,), User: {odoo.uid})",
        )
    assert odoo.existing(LINE, [line]) == [line]


@pytest.mark.parametrize(
    ("vals", "last", "last_19"),
    [
        (
            {"date": "2024-02-30"},
            'psycopg2.errors.DatetimeFieldOverflow: date/time field value out of range: "2024-02-30"',
            "ValueError: day is out of range for month",
        ),
        (
            {"date": "soon"},
            'psycopg2.errors.InvalidDatetimeFormat: invalid input syntax for type date: "soon"',
            "ValueError: time data 'soon' does not match format '%Y-%m-%d'",
        ),
        ({"date": "01/05/2024"}, "ValueError: time data '01/05/2024' does not match format '%Y-%m-%d'", None),
    ],
)
def test_more_bad_values_on_create(odoo: OdooTarget, vals: dict[str, Any], last: str, last_19: str | None) -> None:
    """PostgreSQL checks a created date up to 18; 19's ORM converts it first."""
    last = last_19 if last_19 and odoo.version >= 19 else last
    fault = odoo.fault(LINE, "create", {"name": f"{odoo.prefix}bad", "amount": 1.0, **vals})
    assert fault.faultCode == 1
    line = last_line(fault.faultString)
    assert line == last or (last.startswith("psycopg2") and last.split(": ", 1)[1] in fault.faultString)


def test_bad_date_on_write_is_checked_by_the_orm(odoo: OdooTarget) -> None:
    line = odoo.create(LINE, {"name": f"{odoo.prefix}d", "amount": 1.0})
    fault = odoo.fault(LINE, "write", [line], {"date": "2024-13-45"})
    assert fault.faultCode == 1
    assert last_line(fault.faultString) == "ValueError: time data '2024-13-45' does not match format '%Y-%m-%d'"


def test_unexpected_keyword_is_a_type_error(odoo: OdooTarget) -> None:
    fault = odoo.fault(LINE, "search", [], count=True)
    assert fault.faultCode == 1
    assert last_line(fault.faultString).endswith("search() got an unexpected keyword argument 'count'")


def test_private_method_and_model_checks_order(odoo: OdooTarget) -> None:
    """17 refuses the private method first; 18 looks the model up first."""
    fault = odoo.fault("no.such.model", "_search", [])
    expected = (
        (4, "Private methods (such as _search) cannot be called remotely.")
        if odoo.version < 18
        else (2, "Object no.such.model doesn't exist")
    )
    assert (fault.faultCode, fault.faultString) == expected
