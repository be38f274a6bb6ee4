"""Adopting what Odoo holds as the records (sync/adoption.py): identities, the copy kept, keys past the ledger."""

from __future__ import annotations

import pytest

from odoo_sync.store.rebuild import History
from odoo_sync.store.records import ABSENT, PRESENT, RecordState
from odoo_sync.sync.adoption import (
    Copy,
    adopted,
    better,
    changed,
    create_keys,
    edits,
    line_identity,
    lost,
    owned,
)
from odoo_sync.sync.planner import values_hash

VALS = {"name": "Fuel", "amount": -12.5, "ref": "acme:line:SL-1:create"}


# -- whose line, which generation ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("acme:line:SL-1:create", ("SL-1", 1)),
        ("acme:line:SL-1:create-g2", ("SL-1", 2)),
        ("acme:line:SL-1:create-g17", ("SL-1", 17)),
        ("acme2:line:SL-1:create", None),  # another tenant whose id starts with ours
        ("acme:budget_line:SL-1:create", None),  # another entity type
        ("acme:line:SL-1:unlink", None),  # not a create key
        ("acme:line:SL-1:create-gx", None),
        ("acme:line:SL-1:create-g", None),
        ("acme:line::create", None),  # no source id
        ("acme:line:SL-1", None),
        ("acme:line:SL-1:create:extra", None),
        ("typed by hand", None),
        (False, None),  # Odoo's empty value
        (None, None),
    ],
)
def test_line_identity_reads_the_source_id_and_generation_of_our_refs_only(ref: object, expected: object) -> None:
    assert line_identity(ref, "acme", "line") == expected


def test_owned_keeps_the_fields_the_sync_writes_and_a_many2one_as_its_id() -> None:
    row = {"id": 7, "name": "Fuel", "x_plan2_id": [42, "PRJ-001"], "x_plan3_id": False, "company_id": [], "extra": 1}
    assert owned(row, ["name", "x_plan2_id", "x_plan3_id", "company_id", "date"]) == {
        "name": "Fuel",
        "x_plan2_id": 42,
        "x_plan3_id": False,
        "company_id": False,  # an empty many2one
        "date": None,  # a field Odoo did not return
    }


# -- which copy is kept --------------------------------------------------------------------------------------
def test_better_keeps_the_copy_the_records_point_at_whatever_its_generation() -> None:
    old, new = Copy(10, 1, {}), Copy(20, 2, {})
    assert better(old, new, known_id=10) is old
    assert better(new, old, known_id=10) is old


def test_better_keeps_the_newest_generation_then_the_oldest_record() -> None:
    g1, g2 = Copy(5, 1, {}), Copy(9, 2, {})
    assert better(g1, g2, known_id=None) is g2
    assert better(g2, g1, known_id=None) is g2
    first, twin = Copy(5, 2, {}), Copy(9, 2, {})  # the same key twice: the first created stays
    assert better(twin, first, known_id=None) is first
    assert better(first, twin, known_id=404) is first  # the records' id is in neither copy


def test_create_keys_names_the_record_each_key_made_the_kept_copy_first() -> None:
    ref = "acme:line:SL-1:create"
    found = {
        "SL-1": [Copy(30, 1, {"ref": ref}), Copy(12, 1, {"ref": ref}), Copy(40, 2, {"ref": ref + "-g2"})],
        "SL-2": [Copy(50, 1, {"ref": "acme:line:SL-2:create"})],
        "SL-3": [Copy(60, 1, {"ref": False})],  # a ref wiped by hand names no key
    }
    assert create_keys(found, {}) == {ref: 12, ref + "-g2": 40, "acme:line:SL-2:create": 50}
    assert create_keys(found, {"SL-1": 30})[ref] == 30  # the copy the rebuild keeps answers for its key
    assert create_keys(found, {"SL-1": 40})[ref] == 12


# -- the adopted record --------------------------------------------------------------------------------------
def test_adopted_takes_odoos_id_and_values_with_keys_past_what_the_ledger_spent() -> None:
    copy = Copy(77, 1, VALS)
    record = adopted("SL-1", copy, None, History(generation=3, unlinked=frozenset({1, 2}), writes=4), "PRJ/1.1")
    assert record == RecordState("SL-1", 77, PRESENT, 3, 4, values_hash(VALS), VALS, "PRJ/1.1", None, True)


def test_adopted_moves_past_a_generation_whose_unlink_key_is_spent() -> None:
    """Odoo restored to before a void: the copy's generation was removed once; its removal needs a new key."""
    record = adopted("SL-1", Copy(77, 1, VALS), None, History(generation=1, unlinked=frozenset({1})), None)
    assert record.generation == 2


def test_adopted_without_history_keeps_the_copys_generation() -> None:
    assert adopted("SL-1", Copy(77, 2, VALS), None, None, None).generation == 2


def test_adopted_keeps_what_the_records_knew_that_odoo_cannot_tell() -> None:
    current = RecordState("SL-1", 70, ABSENT, 2, 6, None, None, "PRJ/1.1", "an earlier error", False)
    record = adopted("SL-1", Copy(77, 1, VALS), current, History(generation=2, writes=3), None)
    assert (record.odoo_id, record.state, record.generation, record.writes) == (77, PRESENT, 2, 6)
    assert (record.parent, record.error, record.in_source) == ("PRJ/1.1", "an earlier error", False)
    assert adopted("SL-1", Copy(77, 1, VALS), current, None, "PRJ/2.1").parent == "PRJ/2.1"  # Odoo's own parent


def test_lost_makes_the_record_absent_and_its_next_create_a_new_generation() -> None:
    current = RecordState("SL-1", 70, PRESENT, 1, 2, "h", VALS, "PRJ/1.1")
    record = lost(current, History(generation=2, writes=5))
    assert record == RecordState("SL-1", None, ABSENT, 2, 5, None, None, "PRJ/1.1")
    assert lost(current, None) == RecordState("SL-1", None, ABSENT, 1, 2, None, None, "PRJ/1.1")


def test_changed_compares_what_the_planner_reads() -> None:
    record = RecordState("SL-1", 70, PRESENT, 1, 2, "h", VALS, "PRJ/1.1")
    assert changed(None, record)
    assert not changed(record, record.but(vals={"other": 1}, error="x"))  # vals come with their hash
    for change in ({"odoo_id": 71}, {"state": ABSENT}, {"generation": 2}, {"writes": 3}, {"vals_hash": "g"}):
        assert changed(record, record.but(**change)), change
    assert changed(record, record.but(parent="PRJ/2.1"))


def test_edits_names_each_field_that_differs_for_the_audit_trail() -> None:
    before = {"name": "Fuel", "amount": -12.5, "date": "2026-03-01"}
    after = {"name": "Fuel", "amount": -1.0, "date": "2026-03-01", "x_plan2_id": 4}
    assert edits(before, after) == "amount: -12.5 -> -1.0; x_plan2_id: None -> 4"
    assert edits(None, after) == "values unknown to the records"
    long = edits({"name": "a" * 100}, {"name": "b"})
    assert long.startswith("name: 'aaa") and "..." in long and len(long) < 80
