"""Plan: compare what the source wants in Odoo with what Odoo last received, and list the mutations (pure).

Each entity has one desired state, present with values or absent. A write happens when the values differ from
the last written ones, whatever revision number the source gives; a restored record is created again under a
new generation of its key; a rejected row keeps Odoo as it is and is retried until it passes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from odoo_sync.keys import IdempotencyKey
from odoo_sync.store.records import ABSENT, PRESENT, RecordState
from odoo_sync.sync.specs import EntitySpec


@dataclass(frozen=True, slots=True)
class Desired:
    """What one source row asks of Odoo: ``vals`` (present) or None (absent); ``error`` if it is rejected."""

    entity_id: str
    vals: dict[str, Any] | None
    parent: str | None = None
    error: str | None = None
    gone: bool = False  # absent because the source no longer has the row (not voided)


@dataclass(frozen=True, slots=True)
class Mutation:
    """One Odoo call's worth for one record: ``vals`` to create or write (the changed fields), or an unlink.

    ``after`` is the record as it stands once the call succeeded.
    """

    key: IdempotencyKey
    after: RecordState
    vals: dict[str, Any] | None = None
    marker: Any = None
    before: RecordState | None = None


@dataclass
class Plan:
    """The mutations of one batch of entities, and the record-only changes (no Odoo call)."""

    creates: list[Mutation] = field(default_factory=list)
    writes: list[Mutation] = field(default_factory=list)
    removals: list[Mutation] = field(default_factory=list)
    rejected: list[RecordState] = field(default_factory=list)
    new_rejections: list[RecordState] = field(default_factory=list)  # first seen, or a different reason
    settled: list[RecordState] = field(default_factory=list)  # errors cleared, absent rows first seen
    unchanged: int = 0
    gone: int = 0  # what the circuit breaker counts: every removal, and archives of rows gone from the source

    @property
    def mutations(self) -> int:
        return len(self.creates) + len(self.writes) + len(self.removals)

    @property
    def saves(self) -> int:
        """Records this plan saves (each mutation's ``after`` once Odoo answered, rejected and settled ones)."""
        return self.mutations + len(self.rejected) + len(self.settled)


def values_hash(vals: dict[str, Any]) -> str:
    """A stable fingerprint of record values (key order and float spelling do not matter)."""
    text = json.dumps(vals, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def write_operation(writes: int, digest: str) -> str:
    """The n-th write of a record, with the values it sends: a return to earlier values is a new key."""
    return f"write-{writes}-{digest[:10]}"


def create_operation(generation: int) -> str:
    return "create" if generation <= 1 else f"create-g{generation}"


def plan(spec: EntitySpec, tenant_id: str, desired: Iterable[Desired], states: dict[str, RecordState]) -> Plan:
    """Decide create / write / unlink / reject / nothing for each desired state."""
    out = Plan()
    for want in {d.entity_id: d for d in desired}.values():  # a row read twice in one batch is planned once
        have = states.get(want.entity_id)
        if have is None:  # first seen (a void line too): as if it had been in the other state
            have = RecordState(want.entity_id, parent=want.parent, in_source=want.gone)
        fresh = have.in_source == want.gone  # first seen, deleted, or back
        if fresh:
            have = have.but(in_source=not want.gone)
        saves = out.saves
        if want.error is not None:
            _reject(out, want, have)
        elif want.vals is None:
            _remove(out, spec, tenant_id, want, have)
        elif not have.present:
            _create(out, spec, tenant_id, want, have)
        else:
            _write(out, spec, tenant_id, want, have)
        if fresh and out.saves == saves:  # nothing else saves it: record that it was seen (once, not twice)
            out.settled.append(have)
    return out


def _reject(out: Plan, want: Desired, have: RecordState) -> None:
    after = have.but(error=want.error)
    out.rejected.append(after)
    if have.error != want.error:
        out.new_rejections.append(after)


def _remove(out: Plan, spec: EntitySpec, tenant_id: str, want: Desired, have: RecordState) -> None:
    if not have.present:
        if have.error is not None:
            out.settled.append(have.but(error=None))
        else:
            out.unchanged += 1
        return
    operation = "unlink" if have.generation <= 1 else f"unlink-g{have.generation}"
    after = have.but(state=ABSENT, odoo_id=None, vals_hash=None, vals=None, error=None)
    key = IdempotencyKey(tenant_id, spec.entity_type, want.entity_id, operation)
    out.removals.append(Mutation(key, after, before=have))
    out.gone += 1  # every removal counts for the breaker: a view turning rows to 'void' empties Odoo as surely


def _create(out: Plan, spec: EntitySpec, tenant_id: str, want: Desired, have: RecordState) -> None:
    generation = have.generation + 1
    key = IdempotencyKey(tenant_id, spec.entity_type, want.entity_id, create_operation(generation))
    vals = _with_marker(spec, want.vals or {}, key)
    after = RecordState(
        want.entity_id, None, PRESENT, generation, 0, values_hash(vals), vals, want.parent, None
    )  # odoo_id is filled in when Odoo answers
    out.creates.append(Mutation(key, after, vals, vals[spec.marker_field]))


def _write(out: Plan, spec: EntitySpec, tenant_id: str, want: Desired, have: RecordState) -> None:
    create_key = IdempotencyKey(tenant_id, spec.entity_type, want.entity_id, create_operation(have.generation))
    vals = _with_marker(spec, want.vals or {}, create_key)
    digest = values_hash(vals)
    if digest == have.vals_hash:
        if have.error is not None or have.parent != want.parent:
            out.settled.append(have.but(error=None, parent=want.parent))
        else:
            out.unchanged += 1
        return
    changed = {k: v for k, v in vals.items() if have.vals is None or have.vals.get(k, _MISSING) != v}
    writes = have.writes + 1
    key = IdempotencyKey(tenant_id, spec.entity_type, want.entity_id, write_operation(writes, digest))
    after = have.but(writes=writes, vals_hash=digest, vals=vals, parent=want.parent, error=None)
    out.writes.append(Mutation(key, after, changed, before=have))
    out.gone += want.gone


_MISSING = object()


def _with_marker(spec: EntitySpec, vals: dict[str, Any], create_key: IdempotencyKey) -> dict[str, Any]:
    """Lines carry their create key (its generation) as the marker Odoo holds for read-backs."""
    return {**vals, spec.marker_field: str(create_key)} if spec.marker_is_key else dict(vals)
