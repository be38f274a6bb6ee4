"""Apply a plan: mutations through the idempotent writer, then the records say what Odoo now holds."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from odoo_sync.keys import IdempotencyKey
from odoo_sync.store.ledger import LedgerEntry
from odoo_sync.store.records import ABSENT, RecordState
from odoo_sync.store.sync_log import Entity
from odoo_sync.sync.planner import Mutation, Plan, values_hash, write_operation
from odoo_sync.sync.runtime import Session
from odoo_sync.sync.specs import ANY_ACTIVE, EntitySpec
from odoo_sync.sync.writer import ChangeItem, CreateItem, CreateSpec, EnsureResult, chunked


def apply(
    s: Session,
    spec: EntitySpec,
    p: Plan,
    scope: tuple[Any, ...] = (),
    *,
    adopt: bool = False,
    account_column: str | None = None,
    ledger_ahead: Mapping[str, LedgerEntry] | None = None,
) -> None:
    """Record-only changes first, then creates, writes and removals, each saved once Odoo answered.

    ``account_column`` (lines): the column holding the account whose ``line_ids`` carry per-line writes.
    ``ledger_ahead``: the creates' ledger rows, when they were read ahead with the plan.
    In a dry run the plan is only collected: no call, nothing saved.
    """
    if s.dry_run is not None:
        s.dry_run.add(spec, p)
        s.dry_run.breaker(spec, s.breaker, p.gone)
        return
    before_calls(s, spec, p)
    reused = _creates(s, spec, p.creates, scope, adopt, ledger_ahead)
    _writes(s, spec, [*_still_different(s, spec, reused), *p.writes], account_column)
    _removals(s, spec, p.removals)


def before_calls(s: Session, spec: EntitySpec, p: Plan) -> None:
    """What a plan changes in the records alone, before its first call: settled and rejected records, the rows
    it leaves unchanged, and the breaker's count of its removals."""
    s.records.save(spec.entity_type, spec.model, p.settled)
    _reject(s, spec, p)
    s.summary.of(spec.entity_type).skipped += p.unchanged
    s.breaker.check(spec, p.gone)


def creates_only(p: Plan, ledger_ahead: Mapping[str, LedgerEntry] | None) -> bool:
    """A plan whose only calls are creates of keys the ledger has never seen (a first sync's chunks): nothing to
    read back or skip first, so its calls can follow the previous plan's on the wire (``apply_creates``)."""
    return (
        ledger_ahead is not None
        and bool(p.creates)
        and not p.writes
        and not p.removals
        and not any(str(m.key) in ledger_ahead for m in p.creates)
    )


def apply_creates(s: Session, spec: EntitySpec, plans: Iterable[Plan], total: int) -> None:
    """Plans that only create (``creates_only``), as one stream of calls: the first call of a plan follows the
    last of the one before while that one is settled, as the calls within a plan do. Each plan's record-only
    changes are saved when the stream reaches it; each record is saved once Odoo answered its call."""
    by_key: dict[str, Mutation] = {}

    def batches() -> Iterator[Sequence[CreateItem]]:
        for p in plans:
            before_calls(s, spec, p)
            by_key.update((str(m.key), m) for m in p.creates)
            yield from chunked([CreateItem(m.key, m.vals or {}, m.marker) for m in p.creates], s.writer.batch_size)

    def settled(batch: Sequence[CreateItem], result: EnsureResult) -> None:
        states = [_created_state(by_key.pop(str(i.key)), result) for i in batch]
        s.records.save(spec.entity_type, spec.model, states)

    result = s.writer.ensure_created_stream(CreateSpec(spec.model, spec.marker_field), batches(), total, settled)
    s.summary.add(spec.entity_type, result)


def _reject(s: Session, spec: EntitySpec, p: Plan) -> None:
    """A rejected row keeps Odoo as it is; its reason is logged once (and again if it changes)."""
    s.sync_log.record_rejections(
        spec.model, [(Entity(spec.entity_type, r.entity_id, "validate"), r.error or "") for r in p.new_rejections]
    )
    s.records.save(spec.entity_type, spec.model, p.rejected)
    counts = s.summary.of(spec.entity_type)
    counts.errors += len(p.new_rejections)
    counts.waiting += len(p.rejected) - len(p.new_rejections)


def _creates(
    s: Session,
    spec: EntitySpec,
    creates: Sequence[Mutation],
    scope: tuple[Any, ...],
    adopt: bool,
    ledger_ahead: Mapping[str, LedgerEntry] | None = None,
) -> list[Mutation]:
    """Create; a record found again (ledger or read-back) holds unknown values: return full writes for it."""
    if not creates:
        return []
    items = [CreateItem(m.key, m.vals or {}, m.marker) for m in creates]
    by_key = {str(m.key): m for m in creates}
    done: set[str] = set()

    def save(keys: Sequence[str], result: EnsureResult) -> None:
        s.records.save(spec.entity_type, spec.model, [_created_state(by_key[k], result) for k in keys])
        done.update(keys)

    def settled(batch: Sequence[CreateItem], result: EnsureResult) -> None:  # the next call is on the wire
        save([str(i.key) for i in batch], result)

    create = CreateSpec(spec.model, spec.marker_field, scope, adopt)
    result = s.writer.ensure_created(create, items, settled, known=ledger_ahead)
    s.summary.add(spec.entity_type, result)
    save([k for k in by_key if k not in done], result)  # found again (ledger or read-back), never sent
    return [_full_write(by_key[k], _created_state(by_key[k], result)) for k in by_key if k in result.reused]


def _created_state(m: Mutation, result: EnsureResult) -> RecordState:
    """What the record is once its create was answered: created, refused, or found again with unknown values."""
    key = str(m.key)
    if key in result.errors:
        return _before_create(m.after, result.errors[key])
    if key in result.reused:
        return m.after.but(odoo_id=result.ids[key], vals=None, vals_hash=None)
    return m.after.but(odoo_id=result.ids[key])


def _still_different(s: Session, spec: EntitySpec, rewrites: list[Mutation]) -> list[Mutation]:
    """Records found again after a crash hold unknown values: one read for the batch, and only those that differ
    from what the source wants are written (a crashed run's batch came back as one call, not one per record)."""
    if not rewrites:
        return []
    fields = sorted({name for m in rewrites for name in m.vals or {}})
    domain: list[Any] = [("id", "in", [int(m.after.odoo_id or 0) for m in rewrites])]
    if "active" in fields:
        domain.append(ANY_ACTIVE)
    in_odoo = {int(r["id"]): r for r in s.hook.search_read(spec.model, domain, fields)}
    different, known = [], []
    for m in rewrites:
        row = in_odoo.get(int(m.after.odoo_id or 0))
        if row is not None and _same(m.vals or {}, row):
            known.append((m.before or m.after).but(vals=m.after.vals, vals_hash=m.after.vals_hash))
        else:
            different.append(m)  # a record gone meanwhile is the write's missing-record path
    s.records.save(spec.entity_type, spec.model, known)
    return different


def _same(vals: dict[str, Any], row: dict[str, Any]) -> bool:
    for name, want in vals.items():
        have = row.get(name)
        if isinstance(have, list | tuple):  # many2one: [id, display name]
            have = have[0] if have else False
        if isinstance(want, float) or isinstance(have, float):
            if not isinstance(have, int | float) or abs(float(have) - float(want)) > 1e-9:
                return False
        elif have != want and not (want is None and have is False):
            return False
    return True


def _before_create(after: RecordState, error: str) -> RecordState:
    """Odoo refused the create: the record stays absent, and the same key is tried again next run."""
    return RecordState(
        after.entity_id, None, ABSENT, after.generation - 1, after.writes, parent=after.parent, error=error
    )


def _full_write(m: Mutation, unknown: RecordState) -> Mutation:
    vals = m.after.vals or {}
    digest = values_hash(vals)
    key = IdempotencyKey(
        m.key.tenant_id, m.key.entity_type, m.key.entity_id, write_operation(unknown.writes + 1, digest)
    )
    return Mutation(key, m.after.but(odoo_id=unknown.odoo_id, writes=unknown.writes + 1), vals, before=unknown)


def _writes(s: Session, spec: EntitySpec, writes: Sequence[Mutation], account_column: str | None = None) -> None:
    if not writes:
        return
    items = [ChangeItem(m.key, int(m.after.odoo_id or 0), m.vals, _account(m, account_column)) for m in writes]
    by_key = {str(m.key): m for m in writes}
    answered: set[str] = set()

    def written(batch: Sequence[ChangeItem]) -> None:  # Odoo holds these values now: saved before done
        s.records.save(spec.entity_type, spec.model, [by_key[str(i.key)].after for i in batch])
        answered.update(str(i.key) for i in batch)

    result = s.writer.ensure_written(spec.model, items, written)
    s.summary.add(spec.entity_type, result, "updated")
    saved = []
    for m in writes:
        key, before = str(m.key), m.before or m.after
        if key in answered:
            continue
        if key in result.missing:  # deleted in Odoo by hand: created again (next generation) on the next run
            saved.append(before.but(state=ABSENT, odoo_id=None, vals=None, vals_hash=None, error=result.errors[key]))
        elif key in result.errors:
            saved.append(before.but(error=result.errors[key]))
        else:
            saved.append(m.after)
    s.records.save(spec.entity_type, spec.model, saved)


def _account(m: Mutation, column: str | None) -> int | None:
    """The account a line is on once written (its new values first), whose ``line_ids`` can carry the write."""
    if column is None:
        return None
    value = (m.vals or {}).get(column) or (m.after.vals or {}).get(column)
    return int(value) if isinstance(value, int) and value > 0 else None


def _removals(s: Session, spec: EntitySpec, removals: Sequence[Mutation]) -> None:
    if not removals:
        return
    items = [ChangeItem(m.key, int((m.before or m.after).odoo_id or 0)) for m in removals]
    result: EnsureResult = s.writer.ensure_unlinked(spec.model, items)
    s.summary.add(spec.entity_type, result, "removed")
    s.records.save(spec.entity_type, spec.model, [_removed_state(m, result) for m in removals])


def _removed_state(m: Mutation, result: EnsureResult) -> RecordState:
    """Removed, or refused by Odoo: then the record is still present, with why, and the same key is tried again
    on every run until Odoo lets it go."""
    key = str(m.key)
    if key in result.errors:
        return (m.before or m.after).but(error=result.errors[key])
    return m.after
