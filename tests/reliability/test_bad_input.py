"""Hostile source values (generated): each row is synced correctly or rejected with a clear error; no crash."""

from __future__ import annotations

import math
import re
import xml.parsers.expat
import xmlrpc.client
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from odoo_sync.keys import IdempotencyKey, InvalidKeyError
from odoo_sync.sync.lines import SPEC, desired_line
from odoo_sync.sync.mapping import LineTargets, RowError, key, line_vals
from odoo_sync.sync.planner import plan
from tests.reliability import figures

pytestmark = pytest.mark.reliability
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TARGETS = LineTargets(
    tenant_id="acme",
    currency="EUR",
    project_column="account_id",
    category_column="x_plan3_id",
    budget_line_column="x_plan4_id",
    project_accounts={"PRJ-001": 1, "PRJ:2": 2},
    category_accounts={"HR": 10},
    budget_line_accounts={"PRJ-001/1.1": (20, "HR"), "PRJ:2/1.1": (21, "HR"), "PRJ-001/9.9": (22, "NOPE")},
)
SQL_META = ["'; DROP TABLE odoo_sync.ledger; --", "%s", "%(x)s", "$$", "\\", '"', "1 OR 1=1", "\x00"]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["", " ", ":", "a:b", "\t", "\n", "\x7f", "\ufffe", "\ud800", "é" * 200, "x" * 5000, *SQL_META]),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Zs", "Po", "Sm"]), max_size=10),
)
AMOUNTS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from(
        ["NaN", "inf", "-Infinity", "1e999999", "1e-999999", "1_000", " 12.5 ", "0x10", "", "\uff11\uff12"]
    ),
    HOSTILE_TEXT,
    st.none(),
)
DATES = st.one_of(
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=14))])),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "2026-03-01T00:00", "", "yesterday"]),
    HOSTILE_TEXT,
    st.none(),
    st.integers(),
)
ROWS = st.fixed_dictionaries(
    {
        "id": st.one_of(HOSTILE_TEXT, st.integers(), st.none()),
        "project_code": st.one_of(st.sampled_from(["PRJ-001", "PRJ:2", "PRJ-404"]), HOSTILE_TEXT, st.none()),
        "budget_line_code": st.one_of(st.sampled_from(["1.1", "9.9"]), HOSTILE_TEXT, st.none()),
        "date": DATES,
        "description": st.one_of(HOSTILE_TEXT, st.none()),
        "amount": AMOUNTS,
        "currency": st.one_of(st.sampled_from(["EUR", "eur ", "USD"]), HOSTILE_TEXT, st.none()),
        "status": st.sampled_from(["posted", "void", "", None]),
        "revision": st.one_of(st.integers(min_value=-3, max_value=10**12), HOSTILE_TEXT, st.none()),
    }
)
_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_rpc_safe(value: object) -> bool:
    """True if ``value`` survives an XML-RPC round trip through expat (what Odoo parses requests with)."""
    try:
        text = xmlrpc.client.dumps((value,), methodname="create")
        xmlrpc.client.loads(text.encode("utf-8"))
    except (UnicodeEncodeError, xml.parsers.expat.ExpatError, OverflowError):
        return False
    return True


@SETTINGS
@given(row=ROWS)
@example(
    row={
        "id": "SL-1",
        "project_code": "PRJ-001",
        "budget_line_code": "1.1",
        "date": "2026-03-01",
        "description": "ok",
        "amount": "NaN",
        "currency": "EUR",
        "status": "posted",
        "revision": 1,
    }
)
@example(
    row={
        "id": "SL-1",
        "project_code": "PRJ-001",
        "budget_line_code": "1.1",
        "date": "9999-12-31",
        "description": "ok",
        "amount": "1",
        "currency": "EUR",
        "status": "posted",
        "revision": 1,
    }
)
def test_a_row_maps_to_valid_values_or_a_row_error_naming_its_field(row: dict) -> None:
    figures.add("bad_inputs")
    try:
        vals = line_vals(row, TARGETS)
    except RowError as exc:
        figures.add("bad_inputs_rejected")
        assert exc.field in {"project_code", "budget_line_code", "currency", "description", "date", "amount"}
        assert str(exc).startswith(f"tenant acme: line {str(row['id'])!r}: field {exc.field}: ")
        return
    assert vals["name"] == vals["name"].strip() and 0 < len(vals["name"]) <= TARGETS.max_description_chars
    assert math.isfinite(vals["amount"]) and abs(vals["amount"]) < 1e12
    assert Decimal(str(vals["amount"])) == -Decimal(str(row["amount"]).strip()).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert 1970 <= date.fromisoformat(vals["date"]).year <= 2199
    assert {vals["account_id"], vals["x_plan3_id"], vals["x_plan4_id"]} <= {1, 2, 10, 20, 21}
    assert xml_rpc_safe(vals), "values that pass validation must travel over XML-RPC"


@SETTINGS
@given(rows=st.lists(ROWS, max_size=40))
def test_planning_a_batch_never_crashes_and_accounts_for_every_row(rows: list[dict]) -> None:
    figures.add("bad_inputs", len(rows))
    p = plan(SPEC, "acme", [desired_line(r, TARGETS) for r in rows], states={})
    figures.add("bad_inputs_rejected", len(p.rejected))
    voided = len({str(r["id"]) for r in rows}) - len(p.creates) - len(p.rejected)
    assert voided == p.unchanged  # every distinct row is created, rejected, or void (nothing to send)
    for record in p.rejected:
        assert (record.error or "").startswith("tenant acme: line ") and " field " in (record.error or "")
    for item in p.creates:
        assert item.vals is not None and item.vals["ref"] == str(item.key) == item.marker


PART = st.one_of(HOSTILE_TEXT, st.text(min_size=1, max_size=130))


@SETTINGS
@given(tenant=PART, entity_type=PART, entity_id=PART, operation=PART)
def test_a_key_round_trips_or_is_refused_with_invalid_key_error(
    tenant: str, entity_type: str, entity_id: str, operation: str
) -> None:
    figures.add("bad_inputs")
    try:
        k = IdempotencyKey(tenant, entity_type, entity_id, operation)
    except InvalidKeyError as exc:
        figures.add("bad_inputs_rejected")
        assert "idempotency key part" in str(exc)
        return
    assert IdempotencyKey.parse(str(k)) == k and len(str(k).split(":")) == 4
    assert not any(ch.isspace() for ch in str(k))


@SETTINGS
@given(entity_id=st.one_of(PART, st.integers(), st.floats(), st.none()))
def test_the_mapping_key_builder_reports_bad_ids_as_row_errors(entity_id: object) -> None:
    figures.add("bad_inputs")
    try:
        key("acme", "line", entity_id, "create")
    except RowError as exc:
        figures.add("bad_inputs_rejected")
        assert exc.field == "id"


@settings(max_examples=200, deadline=None)
@given(entity_id=st.text(min_size=1, max_size=20))
@example(entity_id="SL-\ufffe")
@example(entity_id="SL-\ud800")
def test_an_accepted_key_can_travel_over_xml_rpc(entity_id: str) -> None:
    try:
        k = IdempotencyKey("acme", "line", entity_id, "create")
    except InvalidKeyError:
        return
    assert xml_rpc_safe(str(k))


@pytest.mark.parametrize("revision", [math.inf, -math.inf, 2.5, None, "x"])
def test_the_revision_does_not_decide_anything(revision: object) -> None:
    """Writes go by content: whatever the revision column holds, the same values plan the same way."""
    row = {
        "id": "SL-1",
        "project_code": "PRJ-001",
        "budget_line_code": "1.1",
        "date": "2026-03-01",
        "description": "x",
        "amount": "1",
        "currency": "EUR",
        "status": "posted",
    }
    plain = plan(SPEC, "acme", [desired_line(row, TARGETS)], states={})
    odd = plan(SPEC, "acme", [desired_line({**row, "revision": revision}, TARGETS)], states={})
    assert [c.vals for c in odd.creates] == [c.vals for c in plain.creates] and len(plain.creates) == 1


def test_far_dates_and_timezones_are_dates_not_crashes() -> None:
    row = {
        "id": "SL-1",
        "project_code": "PRJ-001",
        "budget_line_code": "1.1",
        "description": "x",
        "amount": "1",
        "currency": "EUR",
    }
    for value in (
        date.max,
        date.min,
        datetime.max,
        datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-12))),
    ):
        figures.add("bad_inputs")
        try:
            line_vals({**row, "date": value}, TARGETS)
        except RowError as exc:
            figures.add("bad_inputs_rejected")
            assert exc.field == "date"
