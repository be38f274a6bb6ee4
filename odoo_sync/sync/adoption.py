"""Adopting what Odoo holds as the records (pure): which copy of a record to keep, and under which generation.

A record found in Odoo is ours by its marker (a line's ``ref`` is its create key: tenant, entity, source id,
generation; an account's code). Its record takes the values Odoo holds now, and a generation and write number
past every key the ledger already spent on the entity, so that the next unlink, create or write is a key of its
own and never one the ledger would skip as done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from odoo_sync.store.rebuild import History
from odoo_sync.store.records import ABSENT, PRESENT, RecordState
from odoo_sync.sync.planner import values_hash

_CREATE = re.compile(r"create(?:-g([0-9]+))?")


@dataclass(frozen=True, slots=True)
class Copy:
    """One Odoo record found for an entity: its id, the generation its marker names, the values we own."""

    odoo_id: int
    generation: int
    vals: dict[str, Any]


def line_identity(ref: Any, tenant_id: str, entity_type: str) -> tuple[str, int] | None:
    """(source id, generation) of a line's ``ref`` written by this tenant's sync, else None."""
    parts = str(ref or "").split(":")
    if len(parts) != 4 or parts[0] != tenant_id or parts[1] != entity_type:
        return None
    match = _CREATE.fullmatch(parts[3])
    if match is None or not parts[2]:
        return None
    return parts[2], int(match[1] or 1)


def owned(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The values of the fields the sync writes, as it sends them (a many2one as its id)."""
    out = {}
    for name in fields:
        value = row.get(name)
        if isinstance(value, list | tuple):
            value = value[0] if value else False
        out[name] = value
    return out


def better(a: Copy, b: Copy, known_id: int | None) -> Copy:
    """The copy to keep: the one the records point at, else the newest generation, else the oldest record."""

    def rank(c: Copy) -> tuple[bool, int, int]:
        return (c.odoo_id == known_id, c.generation, -c.odoo_id)

    return a if rank(a) >= rank(b) else b


def create_keys(found: dict[str, list[Copy]], kept: dict[str, int]) -> dict[str, int]:
    """The Odoo id each create key made (a copy's ``ref`` is the key that created it): the kept copy's where two
    copies carry one key, else the lowest id. ``kept`` maps an entity to the id of the copy the rebuild keeps."""
    out: dict[str, int] = {}
    for entity_id, copies in found.items():
        for copy in sorted(copies, key=lambda c: c.odoo_id):
            ref = copy.vals.get("ref")
            if ref and (ref not in out or copy.odoo_id == kept.get(entity_id)):
                out[str(ref)] = copy.odoo_id
    return out


def adopted(
    entity_id: str, copy: Copy, current: RecordState | None, history: History | None, parent: str | None
) -> RecordState:
    """The record of an entity Odoo holds: Odoo's id and values, keys past everything the ledger spent."""
    h = history or History()
    generation = max(copy.generation, h.generation)
    if generation in h.unlinked:  # that generation's unlink key is spent: removing this copy needs a new one
        generation += 1
    writes = max(h.writes, current.writes if current else 0)
    keep = current or RecordState(entity_id)
    return RecordState(
        entity_id,
        copy.odoo_id,
        PRESENT,
        generation,
        writes,
        values_hash(copy.vals),
        copy.vals,
        parent if parent is not None else keep.parent,
        keep.error,
        keep.in_source,
    )


def lost(current: RecordState, history: History | None) -> RecordState:
    """The record of an entity Odoo no longer holds: absent, its next create a generation no key was spent on."""
    h = history or History()
    return current.but(
        state=ABSENT,
        odoo_id=None,
        vals=None,
        vals_hash=None,
        generation=max(current.generation, h.generation),
        writes=max(current.writes, h.writes),
    )


def changed(before: RecordState | None, after: RecordState) -> bool:
    """Does saving ``after`` change the record (anything the planner reads)?"""
    if before is None:
        return True
    return (before.odoo_id, before.state, before.generation, before.writes, before.vals_hash, before.parent) != (
        after.odoo_id,
        after.state,
        after.generation,
        after.writes,
        after.vals_hash,
        after.parent,
    )


def edits(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    """What differs between the values last written and Odoo's, for the audit trail (``field: old -> new``)."""
    if before is None:
        return "values unknown to the records"
    names = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return "; ".join(f"{k}: {_short(before.get(k))} -> {_short(after.get(k))}" for k in names)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
