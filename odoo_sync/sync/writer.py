"""Idempotent, batched writes: the ledger decides, Odoo is called only for what is not done yet."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from odoo_sync.errors import OdooRecordError, OdooRowsRefused
from odoo_sync.keys import IdempotencyKey
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.store.ledger import DONE, PENDING, Ledger, LedgerEntry
from odoo_sync.store.sync_log import CallResult, Entity
from odoo_sync.sync.pipeline import pipelined

DEFAULT_BATCH_SIZE = 500
# Ids per `write` sending the same values (a category move): 0.07 ms an id on Odoo 17 against 14 ms a call.
WRITE_IDS = 5000
# Rows per call when values differ per record (`load`, or UPDATE commands through an account's lines): on Odoo
# 17, `load` 2.9 ms a row at 2,000 rows a call (4.1 at 500), against 20 ms for one `write` per record.
LOAD_ROWS = 2000
Progress = Callable[[int, int, float], None]
Settled = Callable[[Sequence["CreateItem"], "EnsureResult"], None]
Item = TypeVar("Item")
Written = Callable[[Sequence["ChangeItem"]], None]


@dataclass(frozen=True, slots=True)
class CreateSpec:
    """How to create one kind of record and find it again after a crash.

    ``marker_field`` holds a value the integration wrote (a line's ``ref``, an account's ``code``);
    ``scope`` narrows the search (e.g. the account's plan).
    """

    model: str
    marker_field: str
    scope: tuple[Any, ...] = ()
    adopt: bool = False  # look every new key's marker up first (accounts; lines when the ledger lags Odoo)


@dataclass(frozen=True, slots=True)
class CreateItem:
    key: IdempotencyKey
    vals: dict[str, Any]
    marker: Any


@dataclass(frozen=True, slots=True)
class ChangeItem:
    """A write (``vals``) or an unlink (``vals`` None) of a record whose Odoo id is known.

    ``account`` (analytic lines only): the line's project account. The account of a call's first line carries
    the call's UPDATE commands on its ``line_ids`` (values that differ per line, faster than ``load`` on Odoo 17
    and 18); without an account such writes go through ``load``.
    """

    key: IdempotencyKey
    odoo_id: int
    vals: dict[str, Any] | None = None
    account: int | None = None


@dataclass
class EnsureResult:
    """What a batch did: Odoo ids by key, counts, and the keys Odoo refused with why."""

    ids: dict[str, int] = field(default_factory=dict)
    created: int = 0
    changed: int = 0
    skipped: int = 0
    recovered: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    reused: set[str] = field(default_factory=set)  # keys whose id came from the ledger or a read-back
    missing: set[str] = field(default_factory=set)  # writes refused because the record is gone from Odoo

    @property
    def mutations(self) -> int:
        return self.created + self.changed


def entity_of(key: IdempotencyKey) -> Entity:
    return Entity(key.entity_type, key.entity_id, key.operation, str(key))


def chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class IdempotentWriter:
    """Apply creates, writes and unlinks through the ledger, ``batch_size`` records per call."""

    def __init__(
        self, hook: OdooHook, ledger: Ledger, batch_size: int = DEFAULT_BATCH_SIZE, progress: Progress | None = None
    ) -> None:
        self.hook = hook
        self.ledger = ledger
        self.batch_size = batch_size
        self.progress = progress

    # -- creates ----------------------------------------------------------------------------------------
    def ensure_created(
        self,
        spec: CreateSpec,
        items: Sequence[CreateItem],
        settled: Settled | None = None,
        known: Mapping[str, LedgerEntry] | None = None,
    ) -> EnsureResult:
        """Create what the ledger has not seen; reuse ids of done keys; find pending ones in Odoo first.

        One ledger query for all ``items`` (or ``known``: their rows read ahead, on another connection, while
        the previous batch was on the wire), then one ``create`` call per ``batch_size`` new records, pipelined.
        ``settled(batch, result)`` runs once each batch's keys are done or in error, while the next call is on
        the wire (a caller saving its own state there keeps that work off the critical path).
        """
        result = EnsureResult()
        entries = self.ledger.lookup(i.key for i in items) if known is None else known
        self._skip(spec.model, "create", [i for i in items if _state(entries, i.key) == DONE], entries, result)
        fresh = [i for i in items if _state(entries, i.key) not in (DONE, PENDING)]
        doubtful = [i for i in items if _state(entries, i.key) == PENDING or (spec.adopt and i in fresh)]
        fresh = [i for i in fresh if not spec.adopt]
        for chunk in chunked(doubtful, self.batch_size):
            fresh.extend(self._recover(spec, chunk, result))
        self._pipelined_creates(spec, chunked(fresh, self.batch_size), result, len(fresh), settled)
        return result

    def ensure_created_stream(
        self, spec: CreateSpec, batches: Iterable[Sequence[CreateItem]], total: int, settled: Settled | None = None
    ) -> EnsureResult:
        """Create batches of records whose keys the ledger has never seen (the caller checked), drawn from
        ``batches`` while a call is on the wire: one stream of calls across the caller's chunks, with no pause
        between the last call of one chunk and the first of the next. ``total``: the records expected, for the
        progress log. Settled keys' ids are not kept in the result (a million-line stream holds none of them)."""
        result = EnsureResult()

        def forget_ids(batch: Sequence[CreateItem], done: EnsureResult) -> None:
            if settled is not None:
                settled(batch, done)
            for item in batch:
                done.ids.pop(str(item.key), None)

        self._pipelined_creates(spec, batches, result, total, forget_ids)
        return result

    def _pipelined_creates(
        self,
        spec: CreateSpec,
        batches: Iterable[Sequence[CreateItem]],
        result: EnsureResult,
        total: int,
        settled: Settled | None,
    ) -> None:
        progress = _Progress(self.progress, total)

        def settle(batch: Sequence[CreateItem], outcome: Any) -> None:
            if isinstance(outcome, OdooRecordError):
                self._isolate(spec, batch, result, str(outcome))
            else:
                self._created(batch, outcome, result)
            progress.add(len(batch))
            if settled is not None:
                settled(batch, result)

        pipelined(
            self.hook,
            self.batch_size,
            batches,
            lambda calls: self.ledger.mark_pending(spec.model, [i.key for b in calls for i in b]),
            lambda batch: self.hook.create_many(spec.model, [i.vals for i in batch], [entity_of(i.key) for i in batch]),
            settle,
        )

    def _recover(self, spec: CreateSpec, pending: Sequence[CreateItem], result: EnsureResult) -> list[CreateItem]:
        """A pending key may have been created before a crash or timeout: look for its marker."""
        if not pending:
            return []
        domain = [*spec.scope, (spec.marker_field, "in", [i.marker for i in pending])]
        found = self.hook.search_read(
            spec.model, domain, ["id", spec.marker_field], order="id", entities=[entity_of(i.key) for i in pending]
        )
        by_marker: dict[Any, int] = {}
        for record in found:
            by_marker.setdefault(_plain(record[spec.marker_field]), int(record["id"]))
        recovered = {str(i.key): by_marker[i.marker] for i in pending if i.marker in by_marker}
        if recovered:
            self.ledger.record_done(
                spec.model, [(i.key, recovered[str(i.key)]) for i in pending if str(i.key) in recovered]
            )
            self.ledger.mark_done(recovered)
            result.ids.update(recovered)
            result.reused.update(recovered)
            result.recovered += len(recovered)
        return [i for i in pending if str(i.key) not in recovered]

    def _create(self, spec: CreateSpec, items: Sequence[CreateItem], result: EnsureResult) -> None:
        """Book and create one batch, nothing in flight (halving after a refused batch)."""
        if not items:
            return
        keys = [i.key for i in items]
        self.ledger.mark_pending(spec.model, keys)
        try:
            ids = self.hook.create_many(spec.model, [i.vals for i in items], [entity_of(k) for k in keys])
        except OdooRecordError as exc:
            self._isolate(spec, items, result, str(exc))
            return
        self._created(items, ids, result)

    def _created(self, items: Sequence[CreateItem], ids: Sequence[int], result: EnsureResult) -> None:
        created = {str(i.key): odoo_id for i, odoo_id in zip(items, ids, strict=True)}
        self.ledger.mark_done(created)
        result.ids.update(created)
        result.created += len(created)

    def _isolate(self, spec: CreateSpec, items: Sequence[CreateItem], result: EnsureResult, error: str) -> None:
        isolate(items, error, partial(self._create, spec, result=result), partial(self._failed, result=result))

    def _failed(self, item: CreateItem | ChangeItem, error: str, result: EnsureResult) -> None:
        """Odoo refused this record alone: its key is in error, and the next run sends it again."""
        self.ledger.mark_error({str(item.key): error})
        result.errors[str(item.key)] = error

    # -- writes and unlinks -----------------------------------------------------------------------------
    def ensure_written(self, model: str, items: Sequence[ChangeItem], written: Written | None = None) -> EnsureResult:
        """Write each key once: records getting the same values share one ``write`` (up to WRITE_IDS), records
        whose values differ go ``LOAD_ROWS`` at a time the server's fastest way (``OdooHook.per_record_method``),
        pipelined.

        ``written(batch)`` runs as soon as a call is answered, before its keys are marked done: a caller saving
        what Odoo now holds there never has a done key whose values it does not know (a run failing after the
        first call, then the source going back to the earlier values, must write them again)."""
        result = EnsureResult()
        entries = self.ledger.lookup(i.key for i in items)
        self._skip(model, "write", [i for i in items if _state(entries, i.key) == DONE], entries, result)
        todo = [i for i in items if _state(entries, i.key) != DONE]
        calls = _write_calls(todo, self.batch_size, lambda item: self.hook.per_record_method(model, item.account))
        done: dict[str, int] = {}

        def settle(batch: _Batch, outcome: Any) -> None:
            if isinstance(outcome, OdooRecordError):
                self._refused(model, batch, result, outcome, written)
                return
            done.update(self._written(batch, outcome, result, written))
            if len(done) >= self.batch_size:  # a key left pending after a crash is written again: same values
                self._mark_written(done, result)

        pipelined(
            self.hook,
            self.batch_size,
            calls,
            lambda group: self.ledger.mark_pending(
                model, [i.key for b in group for i in b], [i.odoo_id for b in group for i in b]
            ),
            lambda batch: self._send(model, batch),
            settle,
        )
        self._mark_written(done, result)
        return result

    def _mark_written(self, done: dict[str, int], result: EnsureResult) -> None:
        if done:
            self.ledger.mark_done(done)
            result.ids.update(done)
            done.clear()

    def _send(self, model: str, batch: _Batch) -> dict[int, str]:
        """One call; the rows Odoo answered for without writing them (``load`` only), index -> why."""
        entities = [entity_of(i.key) for i in batch]
        ids, vals = [i.odoo_id for i in batch], [i.vals or {} for i in batch]
        if batch.method == "load":
            return self.hook.load_rows(model, ids, vals, entities)
        if batch.method == "web_save_multi":
            self.hook.web_save_multi(model, ids, vals, entities)
        elif batch.method == "through_account":
            self.hook.write_lines_through(int(batch[0].account or 0), ids, vals, entities)
        else:
            self.hook.write(model, ids, vals[0], entities)
        return {}

    def _written(
        self, batch: _Batch, skipped: dict[int, str], result: EnsureResult, written: Written | None
    ) -> dict[str, int]:
        """An answered call: the keys it wrote (to mark done, after ``written`` saw them); a row Odoo skipped is
        that row's error."""
        for index, reason in skipped.items():
            self._write_failed(batch[index], reason, result)
        ok = [i for index, i in enumerate(batch) if index not in skipped]
        if written is not None and ok:
            written(ok)
        result.changed += len(ok)
        return {str(i.key): i.odoo_id for i in ok}

    def _write_now(self, model: str, batch: _Batch, result: EnsureResult, written: Written | None) -> None:
        """Book and send one batch, nothing in flight (after a refused call)."""
        self.ledger.mark_pending(model, [i.key for i in batch], [i.odoo_id for i in batch])
        try:
            skipped = self._send(model, batch)
        except OdooRecordError as exc:
            self._refused(model, batch, result, exc, written)
            return
        self._mark_written(self._written(batch, skipped, result, written), result)

    def _refused(
        self, model: str, batch: _Batch, result: EnsureResult, exc: OdooRecordError, written: Written | None
    ) -> None:
        """Odoo wrote none of the batch: the rows ``load`` named are refused and the rest is sent again; when it
        named none (a ``write``, a batch-level error), halve until the bad ones stand alone."""
        named = {i: why for i, why in (exc.rows if isinstance(exc, OdooRowsRefused) else {}).items() if i >= 0}
        if not named or len(batch) == 1:
            resend = partial(self._write_half, model, batch.method, result, written)
            isolate(batch, str(exc), resend, partial(self._write_failed, result=result))
            return
        for index, reason in named.items():
            self._write_failed(batch[index], reason, result)
        rest = [item for index, item in enumerate(batch) if index not in named]
        if rest:  # smaller than the batch: a batch-level error among them is halved on its next refusal
            self._write_now(model, _Batch(rest, batch.method), result, written)

    def _write_half(
        self, model: str, method: str, result: EnsureResult, written: Written | None, items: Sequence[ChangeItem]
    ) -> None:
        self._write_now(model, _Batch(items, method), result, written)

    def _write_failed(self, item: ChangeItem, error: str, result: EnsureResult) -> None:
        self._failed(item, error, result)
        if any(text in error for text in _MISSING_RECORD):
            result.missing.add(str(item.key))

    def ensure_unlinked(self, model: str, items: Sequence[ChangeItem]) -> EnsureResult:
        """Remove records once; ids already gone from Odoo count as removed.

        Odoo refuses a whole ``unlink`` for one record it will not delete (a lock date, a validated entry, a
        record rule): the batch is halved until that record stands alone; its key is in error (sent again by
        the next run), the others are removed.
        """
        result = EnsureResult()
        for chunk in chunked(items, self.batch_size):
            entries = self.ledger.lookup(i.key for i in chunk)
            self._skip(model, "unlink", [i for i in chunk if _state(entries, i.key) == DONE], entries, result)
            todo = [i for i in chunk if _state(entries, i.key) != DONE]
            if not todo:
                continue
            self.ledger.mark_pending(model, [i.key for i in todo], [i.odoo_id for i in todo])
            alive = set(self.hook.execute(model, "search", [[("id", "in", [i.odoo_id for i in todo])]]))
            self._unlink(model, [i for i in todo if i.odoo_id in alive], result)
            done = {str(i.key): i.odoo_id for i in todo if str(i.key) not in result.errors}
            if done:
                self.ledger.mark_done(done)
                result.ids.update(done)
        return result

    def _unlink(self, model: str, items: Sequence[ChangeItem], result: EnsureResult) -> None:
        """Delete one batch whose keys are pending; a refused batch is halved (``isolate``)."""
        if not items:
            return
        try:
            self.hook.unlink(model, [i.odoo_id for i in items], [entity_of(i.key) for i in items])
        except OdooRecordError as exc:
            isolate(items, str(exc), partial(self._unlink, model, result=result), partial(self._failed, result=result))
            return
        result.changed += len(items)

    # -- shared -----------------------------------------------------------------------------------------
    def _skip(
        self, model: str, method: str, items: Sequence[Any], entries: Mapping[str, LedgerEntry], result: EnsureResult
    ) -> None:
        """Done keys cost no Odoo call; they still get their 'skipped' audit row."""
        if not items:
            return
        ids = {str(i.key): int(entries[str(i.key)].odoo_id or 0) for i in items}
        result.ids.update(ids)
        result.reused.update(ids)
        result.skipped += len(items)
        if self.hook.sync_log is not None:
            call = CallResult(model, method, None, None, None, "skipped")
            self.hook.sync_log.record(call, [entity_of(i.key) for i in items], list(ids.values()))


def isolate(
    items: Sequence[Item], error: str, send: Callable[[Sequence[Item]], None], failed: Callable[[Item, str], None]
) -> None:
    """Odoo rolls a whole call back for one bad record: ``send`` each half again (which isolates it further if
    refused) until the bad ones stand alone, then ``failed(item, error)``."""
    if len(items) == 1:
        failed(items[0], error)
        return
    middle = len(items) // 2
    send(items[:middle])
    send(items[middle:])


class _Progress:
    """Report records done so far to the writer's progress callback."""

    def __init__(self, callback: Progress | None, total: int) -> None:
        self.callback, self.total, self.done, self.started = callback, total, 0, time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        if self.callback is not None:
            self.callback(self.done, self.total, time.monotonic() - self.started)


# How Odoo says a record is gone: a write's fault, and ``load``'s message for an unknown database id.
_MISSING_RECORD = ("does not exist or has been deleted", "Unknown database identifier")


class _Batch(list[ChangeItem]):
    """One call's records: ``write`` (all get the same values), or values per record: ``web_save_multi``,
    ``through_account``, ``load``."""

    def __init__(self, items: Iterable[ChangeItem], method: str) -> None:
        super().__init__(items)
        self.method = method


def _write_calls(items: Sequence[ChangeItem], batch_size: int, method_of: Callable[[ChangeItem], str]) -> list[_Batch]:
    """Records with the same new values share a ``write``; the others go ``LOAD_ROWS`` a call the way the server
    writes values per record (``method_of``): ``load`` needs one field set a call; ``through_account`` and
    ``web_save_multi`` neither (the UPDATE commands of one account's ``line_ids`` write lines on any account)."""
    groups: dict[str, list[ChangeItem]] = {}
    for item in items:
        groups.setdefault(_fingerprint(item.vals or {}), []).append(item)
    calls = [
        _Batch(chunk, "write")
        for group in groups.values()
        if len(group) > 1
        for chunk in chunked(group, max(batch_size, WRITE_IDS))
    ]
    shared: dict[tuple[Any, ...], list[ChangeItem]] = {}
    for (item,) in (g for g in groups.values() if len(g) == 1):
        shared.setdefault(_call_of(item, method_of(item)), []).append(item)
    for (method, *_), same in shared.items():
        if len(same) == 1 or not same[0].vals:
            calls.extend(_Batch([item], "write") for item in same)
        else:
            calls.extend(_Batch(chunk, method) for chunk in chunked(same, LOAD_ROWS))
    return calls


def _call_of(item: ChangeItem, method: str) -> tuple[Any, ...]:
    """What the records of one per-record call share. Not their account: one call per account cost 11 ms a line
    on real Odoo 17 for 3,000 lines spread over 1,000 accounts, against 1.3 through one account."""
    if method == "load":
        return (method, *sorted(item.vals or {}))
    return (method,)


def _fingerprint(vals: dict[str, Any]) -> str:
    return repr(sorted(vals.items()))


def _state(entries: Mapping[str, LedgerEntry], key: IdempotencyKey) -> str | None:
    entry = entries.get(str(key))
    return entry.state if entry else None


def _plain(value: Any) -> Any:
    """many2one values read back as [id, name]; markers compare on the id."""
    return value[0] if isinstance(value, list) and value else value
