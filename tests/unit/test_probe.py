"""The per-run probe (sync/probe.py): which lines are ours, Odoo's footprint in two reads, when the sides disagree.

Odoo is faked at the transport boundary (an ``OdooClient`` answering ``execute_kw`` from a list of lines, with
SQL's LIKE for ``=like``, as Odoo passes it to PostgreSQL); the hook in front of it is the real one.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest

from odoo_sync.odoo.client import OdooEndpoint
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.models import LINE
from odoo_sync.odoo.transport import CallStats
from odoo_sync.store.rebuild import Footprint
from odoo_sync.sync.probe import OdooFootprint, disagreement, odoo_footprint, our_lines


def like(pattern: str, text: str) -> bool:
    """PostgreSQL's LIKE with its default escape character, backslash."""
    regex, chars = "", iter(pattern)
    for char in chars:
        if char == "\\":
            regex += re.escape(next(chars, ""))
        else:
            regex += {"%": ".*", "_": "."}.get(char, re.escape(char))
    return re.fullmatch(regex, text, re.DOTALL) is not None


class LinesOdoo:
    """An ``OdooClient`` over some analytic lines: search, read_group (17) and formatted_read_group (19)."""

    api_name = "xmlrpc"
    last_stats = CallStats(200, 0, 0.0)

    def __init__(self, endpoint: OdooEndpoint, lines: list[dict[str, Any]], major: int) -> None:
        self.endpoint, self.lines, self.major = endpoint, lines, major
        self.calls: list[str] = []

    def version(self) -> dict[str, Any]:
        return {"server_version": f"{self.major}.0", "server_version_info": [self.major, 0, 0, "final", 0, ""]}

    def authenticate(self) -> int:
        return 2

    def execute_kw(
        self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any], *, setup: bool = False
    ) -> Any:
        assert model == LINE
        self.calls.append(method)
        rows = [r for r in self.lines if all(self._holds(r, leaf) for leaf in args[0])]
        total = sum((Decimal(str(r["amount"])) for r in rows), Decimal(0))
        if method == "search":
            ids = sorted((r["id"] for r in rows), reverse=kwargs.get("order") == "id desc")
            return ids[: kwargs.get("limit")]
        if method == "read_group" and self.major < 19:  # Odoo 17: one row even when nothing matches
            return [{"__count": len(rows), "amount": float(total) if rows else False, "__domain": args[0]}]
        if method == "formatted_read_group" and self.major >= 19:
            return [{"__count": len(rows), "amount:sum": float(total) if rows else False}]
        raise AssertionError(f"unexpected call {method}")

    @staticmethod
    def _holds(row: dict[str, Any], leaf: Any) -> bool:
        field, op, value = leaf
        assert (field, op) == ("ref", "=like")
        return like(value, str(row["ref"]))


@pytest.fixture
def odoo_conn(monkeypatch: pytest.MonkeyPatch) -> str:
    fields = {"conn_type": "odoo", "host": "odoo.example", "schema": "odoo", "login": "sync", "password": "pw"}
    monkeypatch.setenv("AIRFLOW_CONN_ODOO_PROBE", json.dumps(fields))
    return "odoo_probe"


def footprint_of(conn_id: str, lines: list[dict[str, Any]], tenant: str, major: int) -> tuple[OdooFootprint, list]:
    clients: list[LinesOdoo] = []

    def factory(endpoint: OdooEndpoint, api: str | None) -> LinesOdoo:
        clients.append(LinesOdoo(endpoint, lines, major))
        return clients[-1]

    hook = OdooHook(conn_id, tenant_id=tenant, client_factory=factory)  # type: ignore[arg-type]
    return odoo_footprint(hook, tenant, major), clients[-1].calls


LINES = [
    {"id": 3, "ref": "acme:line:SL-1:create", "amount": -10.25},
    {"id": 9, "ref": "acme:line:SL-2:create-g2", "amount": -5.5},
    {"id": 4, "ref": "acme:line:SL-3:create", "amount": 100},
    {"id": 12, "ref": "acme2:line:SL-1:create", "amount": -1},  # another tenant, whose id starts with ours
    {"id": 15, "ref": "acme:budget_line:x:create", "amount": -1},
    {"id": 20, "ref": "typed by finance", "amount": 7},
]


# -- whose lines ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tenant", "ref", "ours"),
    [
        ("acme", "acme:line:SL-1:create", True),
        ("acme", "acme:line:SL-1:create-g3", True),
        ("acme", "acme2:line:SL-1:create", False),
        ("acme", "acme:budget_line:SL-1:create", False),
        ("acme", "xacme:line:SL-1:create", False),
        ("a_b", "a_b:line:1:create", True),
        ("a_b", "axb:line:1:create", False),  # '_' matches itself only
        ("50%", "50%:line:1:create", True),
        ("50%", "50%off:line:1:create", False),  # '%' too
        ("a\\b", "a\\b:line:1:create", True),
        ("a\\b", "ab:line:1:create", False),
    ],
)
def test_our_lines_matches_this_tenants_lines_only(tenant: str, ref: str, ours: bool) -> None:
    ((field, op, pattern),) = our_lines(tenant)
    assert (field, op) == ("ref", "=like")
    assert like(pattern, ref) is ours


# -- Odoo's footprint ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("major", "grouped"), [(17, "read_group"), (18, "read_group"), (19, "formatted_read_group")])
def test_odoo_footprint_is_two_reads_count_sum_and_highest_id(odoo_conn: str, major: int, grouped: str) -> None:
    found, calls = footprint_of(odoo_conn, LINES, "acme", major)
    assert found == OdooFootprint(3, 9, Decimal("84.25"))
    assert calls == [grouped, "search"]


def test_odoo_footprint_of_a_tenant_odoo_holds_nothing_of(odoo_conn: str) -> None:
    assert footprint_of(odoo_conn, LINES, "globex", 17)[0] == OdooFootprint(0, None, Decimal(0))
    assert footprint_of(odoo_conn, [], "acme", 19)[0] == OdooFootprint(0, None, Decimal(0))


# -- do the sides agree? -------------------------------------------------------------------------------------
def test_disagreement_is_none_when_count_highest_id_and_sum_agree() -> None:
    assert disagreement(OdooFootprint(3, 9, Decimal("84.25")), Footprint(3, 9, Decimal("84.25"))) is None
    assert disagreement(OdooFootprint(0, None, Decimal(0)), Footprint(0, None, Decimal(0))) is None


def test_disagreement_names_a_different_count_first() -> None:
    why = disagreement(OdooFootprint(1_179, 9, Decimal(0)), Footprint(1_176, 12, Decimal(5)))
    assert why == "Odoo holds 1,179 of our lines, the records 1,176"


def test_disagreement_names_a_different_highest_id() -> None:
    """As many lines removed as created (an Odoo restored from a dump): the count agrees, the ids do not."""
    why = disagreement(OdooFootprint(3, 9, Decimal(1)), Footprint(3, 14, Decimal(1)))
    assert why == "the highest id of our lines is 9 in Odoo, 14 in the records"
    assert disagreement(OdooFootprint(0, None, Decimal(0)), Footprint(0, 3, Decimal(0))) is not None


def test_disagreement_compares_sums_to_the_cent() -> None:
    odoo = OdooFootprint(3, 9, Decimal("84.25"))
    assert disagreement(odoo, Footprint(3, 9, Decimal("84.254"))) is None  # a 3-decimal currency rounded by Odoo
    assert disagreement(odoo, Footprint(3, 9, Decimal("84.2401"))) is None
    why = disagreement(odoo, Footprint(3, 9, Decimal("1084.25")))
    assert why == "our lines add up to 84.25 in Odoo, 1,084.25 in the records"


def test_disagreement_ignores_the_sum_while_some_values_are_unknown() -> None:
    """A write in doubt after a crash leaves values unknown: the sum proves nothing until they are written."""
    assert disagreement(OdooFootprint(3, 9, Decimal("84.25")), Footprint(3, 9, None)) is None
