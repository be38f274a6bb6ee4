"""Spending lines to account.analytic.line: one account from each plan on the same line.

A run plans, in chunks: the lines its window reads, the rejected lines (retried until they pass), and the
lines whose parent accounts changed (a budget line moved to another category). A reconciliation reads every
line, and removes the lines the source no longer has (behind the circuit breaker).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from odoo_sync.store.ledger import Ledger, LedgerEntry
from odoo_sync.store.records import RecordStore
from odoo_sync.sync import source
from odoo_sync.sync.apply import apply, apply_creates, creates_only
from odoo_sync.sync.context import OdooContext
from odoo_sync.sync.cursor import Window
from odoo_sync.sync.mapping import LineTargets, RowError, detail_id, key, line_vals
from odoo_sync.sync.money import step
from odoo_sync.sync.pipeline import read_ahead
from odoo_sync.sync.planner import Desired, Plan, plan
from odoo_sync.sync.rates import RateBook, odoo_loader
from odoo_sync.sync.reference import present_ids
from odoo_sync.sync.runtime import Session
from odoo_sync.sync.specs import BUDGET_LINE, CATEGORY, PROJECT_ACCOUNT, SPENDING_LINE

SPEC = SPENDING_LINE
POSTED, VOID = "posted", "void"  # the source contract's only statuses of a spending line
log = logging.getLogger(__name__)


def desired_line(row: dict[str, Any], targets: LineTargets) -> Desired:
    """One source row's desired state: its values, absent when voided, or the reason it is rejected (pure)."""
    line_id = str(row.get("id"))
    parent = detail_id(str(row.get("project_code")), str(row.get("budget_line_code")))
    try:
        key(targets.tenant_id, SPEC.entity_type, line_id, "create")
        status = row.get("status")
        if status == VOID:
            return Desired(line_id, None, parent)
        if status != POSTED:  # 'VOID', 'cancelled', NULL: a guess either way would move finance's totals
            problem = f"{status!r} is neither {POSTED!r} nor {VOID!r} (the source contract); Odoo keeps what it had"
            raise RowError(targets.tenant_id, SPEC.entity_type, line_id, "status", problem)
        return Desired(line_id, line_vals(row, targets), parent)
    except RowError as exc:
        return Desired(line_id, None, parent, error=str(exc))


def line_targets(s: Session, octx: OdooContext) -> LineTargets:
    """Where this tenant's lines go: plan columns, and the accounts of the three plans from the records."""
    budget_lines = s.records.all_states(BUDGET_LINE.entity_type)
    budget_line_ids = present_ids(s, BUDGET_LINE, octx.plan("budget_line").id)
    return LineTargets(
        tenant_id=s.tenant.tenant_id,
        currency=octx.currency,
        project_column=octx.plan("project").column,
        category_column=octx.plan("category").column,
        budget_line_column=octx.plan("budget_line").column,
        project_accounts=present_ids(s, PROJECT_ACCOUNT, octx.plan("project").id),
        category_accounts=present_ids(s, CATEGORY, octx.plan("category").id),
        budget_line_accounts={
            code: (odoo_id, str(budget_lines[code].parent)) for code, odoo_id in budget_line_ids.items()
        },
        max_description_chars=s.tenant.max_description_chars,
        decimals=octx.currency_decimals,
        rounding=step(octx.currency_decimals, octx.currency_rounding),
        rates=RateBook(
            octx.currency.upper(), odoo_loader(s.hook.search_read, octx.currency.upper(), _rate_company(octx))
        ),
        company_id=s.tenant.company_id,
    )


def _rate_company(octx: OdooContext) -> int:
    return octx.rate_company_id or octx.company_id


def desired_lines(rows: Sequence[dict[str, Any]], targets: LineTargets) -> list[Desired]:
    """Rows' desired states, after reading the rates of the currencies they are in (one read per new currency)."""
    if targets.rates is not None:
        targets.rates.prepare(r.get("currency") for r in rows)
    return [desired_line(r, targets) for r in rows]


def sync_lines(s: Session, targets: LineTargets, window: Window) -> None:
    """Read, plan and apply: the window's lines, then the rejected and the re-parented ones, then deletions."""
    tenant = s.tenant.tenant_id
    lines = _Lines(s, targets)
    if s.dry_run is not None:
        s.dry_run.categories = {
            code: str(st.parent) for code, st in s.records.all_states(BUDGET_LINE.entity_type).items()
        }
        s.dry_run.projects = frozenset(targets.project_accounts)
    if window.full:
        s.records.seen_reset()
    total = source.count_changed_lines(s.source(), tenant, window.start, window.end)
    started, done = time.monotonic(), 0
    rejected_earlier = set(s.records.rejected_ids(SPEC.entity_type))  # few: the error share bounds them
    chunks = source.changed_lines(s.source(), tenant, window.start, window.end, first=s.tenant.batch_size)
    ahead = RecordStore(s.reader(), tenant)  # the read-ahead thread's own connection

    def chunk_done(rows: Sequence[dict[str, Any]]) -> None:
        nonlocal done
        rejected_earlier.difference_update(str(r["id"]) for r in rows)  # planned once a run, counted once
        if window.full:
            s.records.seen_add(str(r["id"]) for r in rows)
        done += len(rows)
        log.info("tenant %s: lines %s/%s, %.0f s", tenant, f"{done:,}", f"{total:,}", time.monotonic() - started)

    # a dry run's draft records (sync/rebuild.py) are seen by the draft's connection only: planned here
    planned = read_ahead(chunks, lambda rows: None if s.draft else lines.plan_ahead(rows, ahead))
    lines.apply_chunks(planned, chunk_done, total)
    s.summary.of(SPEC.entity_type).seen += done
    lines.revisit(sorted(rejected_earlier), "rejected earlier")
    lines.revisit(s.records.stale_children(SPEC.entity_type, _expected(targets)), "whose accounts changed")
    if window.full:
        lines.remove_unseen()


def _expected(targets: LineTargets) -> dict[str, dict[str, Any]]:
    """Per budget line, the accounts its lines must carry now."""
    expected = {}
    for code in targets.budget_line_accounts:
        accounts = targets.accounts_of(code)
        if accounts is not None:
            expected[code] = accounts
    return expected


@dataclass(frozen=True, slots=True)
class Ahead:
    """A chunk planned on the read-ahead thread, with its creates' ledger rows (read there too, so the first
    call of the chunk follows the last of the previous one without a ledger query between)."""

    plan: Plan
    ledger: Mapping[str, LedgerEntry]


Rows = Sequence[dict[str, Any]]
Chunk = tuple[Rows, Ahead | None]  # a source chunk, planned ahead (or None: planned on the task's thread)


class _Lines:
    """Plans and applies batches of lines for one run."""

    def __init__(self, s: Session, targets: LineTargets) -> None:
        self.s, self.targets = s, targets

    def sync(self, desired: Sequence[Desired]) -> None:
        if desired:
            self.apply(self.plan(desired, self.s.records))

    def plan(self, desired: Sequence[Desired], records: RecordStore) -> Plan:
        states = records.states(SPEC.entity_type, [d.entity_id for d in desired])
        return plan(SPEC, self.s.tenant.tenant_id, desired, states)

    def apply(self, p: Plan, ledger_ahead: Mapping[str, LedgerEntry] | None = None) -> None:
        apply(self.s, SPEC, p, account_column=self.targets.project_column, ledger_ahead=ledger_ahead)

    def apply_chunks(self, chunks: Iterator[Chunk], done: Callable[[Rows], None], total: int) -> None:
        """Each chunk's plan applied in turn, ``done(rows)`` after it; consecutive chunks that only create (a first
        sync's) go to Odoo as one stream of calls, with no pause where one chunk ends and the next begins."""
        chunk = next(chunks, None)
        while chunk is not None:
            rows, ahead = chunk
            if self._streams(chunk):
                chunk = self._stream(chunk, chunks, done, total)
                continue
            if ahead is None:
                self.sync(desired_lines(rows, self.targets))
            else:
                self.apply(ahead.plan, ahead.ledger)
            done(rows)
            chunk = next(chunks, None)

    def _stream(self, first: Chunk, chunks: Iterator[Chunk], done: Callable[[Rows], None], total: int) -> Chunk | None:
        """From ``first`` on, the chunks that only create, as one stream; returns the first chunk that does not."""
        stopped: list[Chunk] = []

        def plans() -> Iterator[Plan]:
            chunk: Chunk | None = first
            while chunk is not None:
                rows, ahead = chunk
                if ahead is None or not self._streams(chunk):
                    stopped.append(chunk)
                    return
                yield ahead.plan
                done(rows)  # drawn while a call is on the wire: the chunk's calls are all booked by now
                chunk = next(chunks, None)

        apply_creates(self.s, SPEC, plans(), total)
        return stopped[0] if stopped else None

    def _streams(self, chunk: Chunk) -> bool:
        """A chunk planned ahead that only creates, in a run that sends (not a dry run's)."""
        ahead = chunk[1]
        return ahead is not None and self.s.dry_run is None and creates_only(ahead.plan, ahead.ledger)

    def plan_ahead(self, rows: Sequence[dict[str, Any]], records: RecordStore) -> Ahead | None:
        """On the read-ahead thread: the chunk's plan and its creates' ledger rows, from its own connection (the
        chunks of one window hold different lines, so applying chunk k changes neither chunk k+1's records nor
        its keys). None when a currency's rates must first be read from Odoo: the hook is the task thread's, so
        the caller plans that chunk."""
        if self.targets.rates is not None and not self.targets.rates.ready(r.get("currency") for r in rows):
            return None
        p = self.plan([desired_line(r, self.targets) for r in rows], records)
        return Ahead(p, Ledger(records.conn).lookup(m.key for m in p.creates))

    def revisit(self, ids: list[str], why: str) -> None:
        """Plan these lines again from the source as it is now; ids the source lost are removed.

        Over several chunks, every removal is counted against the breaker before the first one is made (a first
        pass plans and counts only): a refusal halfway would leave half the removals done."""
        if not ids:
            return
        log.info("tenant %s: %d lines %s, planned again", self.s.tenant.tenant_id, len(ids), why)
        chunks = [ids[start : start + source.CHUNK_ROWS] for start in range(0, len(ids), source.CHUNK_ROWS)]
        if len(chunks) > 1:  # one chunk: apply() refuses before its first removal
            self._allow_removals(sum(self._plan_again(chunk).gone for chunk in chunks))
        for chunk in chunks:
            self.apply(self._plan_again(chunk))

    def _plan_again(self, chunk: list[str]) -> Plan:
        rows = source.lines_by_id(self.s.source(), self.s.tenant.tenant_id, chunk)
        found = {str(r["id"]) for r in rows}
        desired = desired_lines(rows, self.targets) + [Desired(i, None, gone=True) for i in chunk if i not in found]
        return self.plan(desired, self.s.records)

    def _allow_removals(self, gone: int) -> None:
        """Refuse now if ``gone`` more removals would pass the breaker's limit (a dry run shows it)."""
        if self.s.dry_run is not None:
            self.s.dry_run.breaker(SPEC, self.s.breaker, gone, count=False)
        else:
            self.s.breaker.allow(SPEC, gone)

    def remove_unseen(self) -> None:
        """A reconciliation: lines present in Odoo whose source row is gone (read again by id) are removed."""
        gone = self.s.records.count_unseen(SPEC.entity_type)
        if not gone:
            return
        self._allow_removals(gone)  # before the first removal, not halfway
        log.info("tenant %s: %d lines not seen by the reconciliation", self.s.tenant.tenant_id, gone)
        for states in self.s.records.unseen(SPEC.entity_type):
            # read again by id: a row back-dated behind the pages' read position is still there, not gone
            self.revisit([st.entity_id for st in states], "not seen by the reconciliation's pages")
