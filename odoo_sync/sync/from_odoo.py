"""Read our records back from Odoo and make them the records: the rebuild's reading and adopting half.

Accounts are found by code in their plan, projects by their analytic account, lines by ``ref`` (the create key:
tenant, entity, source id, generation), read page by page in id order with the fields the sync owns. Each
entity keeps one copy (``odoo_sync.sync.adoption``): the others of our lines are removed through the circuit
breaker; accounts are never deleted. Records Odoo does not hold become absent. What changed is returned as
``Findings`` for the run's log and ``sync_log``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from odoo_sync.keys import IdempotencyKey
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.models import ACCOUNT, LINE, PROJECT
from odoo_sync.store import rebuild as store
from odoo_sync.store.ledger import DONE
from odoo_sync.store.records import PRESENT, RecordState
from odoo_sync.sync import probe, source
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
from odoo_sync.sync.context import OdooContext
from odoo_sync.sync.lines import SPEC as LINES
from odoo_sync.sync.mapping import LineTargets, detail_id
from odoo_sync.sync.planner import Mutation, Plan
from odoo_sync.sync.runtime import Session
from odoo_sync.sync.specs import ANY_ACTIVE, BUDGET_LINE, CATEGORY, PROJECT_ACCOUNT, PROJECT_RECORD, EntitySpec
from odoo_sync.sync.writer import ChangeItem

PAGE_ROWS = 5000  # lines per paged read of Odoo (100,000 lines: 20 reads)
CODES_PER_READ = 2000
ACCOUNT_SPECS = (PROJECT_ACCOUNT, CATEGORY, BUDGET_LINE)
Ident = Callable[[dict[str, Any]], str]  # an Odoo row's entity id
log = logging.getLogger(__name__)
MODELS = {PROJECT_RECORD.entity_type: PROJECT, LINES.entity_type: LINE}  # the others are accounts


@dataclass
class Findings:
    """What a rebuild found for one entity type; each list holds (entity id, Odoo id, why)."""

    entity_type: str
    read: int = 0
    adopted: int = 0  # records the records did not know, or knew under another id or generation
    edited: list[tuple[str, int | None, str]] = field(default_factory=list)
    missing: list[tuple[str, int | None, str]] = field(default_factory=list)
    surplus: list[tuple[str, int | None, str]] = field(default_factory=list)

    def note(self, before: RecordState | None, after: RecordState) -> None:
        """Classify one changed record: unknown to the records, found elsewhere, or its values changed in Odoo."""
        if before is None or not before.present or before.odoo_id != after.odoo_id:
            self.adopted += 1
        elif before.vals is not None and before.vals_hash != after.vals_hash:
            why = (
                f"edited in Odoo since the sync wrote it ({edits(before.vals, after.vals or {})}): by hand, or Odoo "
                f"was restored from an older backup; written again as the source says"
            )
            self.edited.append((after.entity_id, after.odoo_id, why))

    def lose(self, before: RecordState) -> None:
        why = (
            f"gone from Odoo (was id {before.odoo_id}): deleted by hand, or Odoo was restored from an older "
            f"backup; created again if the source still has it"
        )
        self.missing.append((before.entity_id, before.odoo_id, why))


def rebuild_reference(s: Session, octx: OdooContext) -> list[Findings]:
    """The records of accounts (by code, in their plan) and projects (by their analytic account) from Odoo."""
    company = [] if s.tenant.company_id is None else ["company_id"]
    wanted = {spec.entity_type: _wanted(s, spec) for spec in ACCOUNT_SPECS}
    plans = {spec.entity_type: octx.plan(str(spec.plan_role)).id for spec in ACCOUNT_SPECS}
    fields = ["name", "code", "plan_id", "active", *company]
    rows = _accounts(s, sorted(set().union(*wanted.values())), sorted(plans.values()), fields)
    out = []
    for spec in ACCOUNT_SPECS:
        mine = [r for r in rows if owned(r, ["plan_id"])["plan_id"] == plans[spec.entity_type]]
        out.append(_adopt(s, spec, wanted[spec.entity_type], mine, lambda r: str(r["code"]), fields))
    link = octx.project_link_field
    accounts = {
        st.odoo_id: code for code, st in s.records.all_states(PROJECT_ACCOUNT.entity_type).items() if st.present
    }
    fields = ["name", link, "active", *company]
    domain = [(link, "in", sorted(i for i in accounts if i)), ANY_ACTIVE]
    projects = [p for p in s.hook.search_read(PROJECT, domain, ["id", *fields]) if owned(p, [link])[link] in accounts]
    codes: dict[str, str | None] = {code: code for code in wanted[PROJECT_ACCOUNT.entity_type]}  # parent: itself
    out.append(_adopt(s, PROJECT_RECORD, codes, projects, lambda r: accounts[owned(r, [link])[link]], fields))
    log.info("tenant %s: %d accounts and %d projects read from Odoo", s.tenant.tenant_id, len(rows), len(projects))
    return out


def _accounts(s: Session, codes: list[str], plans: list[int], fields: list[str]) -> list[dict[str, Any]]:
    """Accounts of our plans with these codes, archived ones included."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(codes), CODES_PER_READ):
        domain = [("plan_id", "in", plans), ("code", "in", codes[start : start + CODES_PER_READ]), ANY_ACTIVE]
        rows += s.hook.search_read(ACCOUNT, domain, ["id", *fields], order="id")
    return rows


def _wanted(s: Session, spec: EntitySpec) -> dict[str, str | None]:
    """The entities of a reference type the source or the records know (the records may be lost), with the parent
    the source gives them (a budget line's category)."""
    rows = source.fetch_all(s.source(), spec.source, s.tenant.tenant_id)
    found: dict[str, str | None]
    if spec is BUDGET_LINE:
        found = {detail_id(r["project_code"], r["code"]): str(r["category_code"]) for r in rows}
    else:
        found = {str(r["code"]): None for r in rows}
    return {entity_id: None for entity_id in s.records.all_states(spec.entity_type)} | found


def _adopt(
    s: Session,
    spec: EntitySpec,
    wanted: dict[str, str | None],
    rows: list[dict[str, Any]],
    ident: Ident,
    fields: list[str],
) -> Findings:
    """Adopt one reference type's records: one copy per entity (the records' own, else the oldest)."""
    findings = Findings(spec.entity_type, read=len(rows))
    currents = s.records.all_states(spec.entity_type)
    history = store.histories(s.conn, s.tenant.tenant_id, spec.entity_type, set(wanted) | set(currents))
    keepers: dict[str, Copy] = {}
    for row in rows:
        entity_id, current = ident(row), currents.get(ident(row))
        copy = Copy(int(row["id"]), max(1, current.generation if current else 1), owned(row, fields))
        known = current.odoo_id if current and current.present else None
        keepers[entity_id] = better(keepers[entity_id], copy, known) if entity_id in keepers else copy
    saves = []
    for entity_id, copy in keepers.items():
        current = currents.get(entity_id)
        parent = current.parent if current and current.parent else wanted.get(entity_id)
        after = adopted(entity_id, copy, current, history.get(entity_id), parent)
        if changed(current, after):
            findings.note(current, after)
            saves.append(after)
    for entity_id, current in currents.items():
        if current.present and entity_id not in keepers:
            findings.lose(current)
            saves.append(lost(current, history.get(entity_id)))
    s.records.save(spec.entity_type, spec.model, saves)
    return findings


def line_fields(targets: LineTargets) -> list[str]:
    """The fields of a line the sync writes (``line_vals`` and the marker)."""
    columns = [targets.project_column, targets.category_column, targets.budget_line_column]
    return ["name", "date", "amount", *columns, "ref"] + (["company_id"] if targets.company_id is not None else [])


def rebuild_lines(s: Session, targets: LineTargets) -> Findings:
    """Read our lines from Odoo page by page; adopt, then mark what Odoo lacks, then remove surplus copies."""
    tenant, entity = s.tenant.tenant_id, LINES.entity_type
    fields = line_fields(targets)
    budget_lines = {
        st.odoo_id: code for code, st in s.records.all_states(BUDGET_LINE.entity_type).items() if st.present
    }
    findings = Findings(entity)
    keepers: dict[str, Copy] = {}  # per entity, the copy kept so far (its values dropped: memory stays small)
    surplus: list[tuple[str, Copy]] = []
    store.found_reset(s.records.conn)
    for page in pages(s.hook, LINE, probe.our_lines(tenant), fields):
        findings.read += len(page)
        copies: dict[str, list[Copy]] = {}
        for row in page:
            identity = line_identity(row.get("ref"), tenant, entity)
            if identity is not None:
                copies.setdefault(identity[0], []).append(Copy(int(row["id"]), identity[1], owned(row, fields)))
        currents = s.records.states(entity, copies)
        history = store.histories(s.conn, tenant, entity, copies)
        saves = []
        for entity_id, found in copies.items():
            current = currents.get(entity_id)
            known = current.odoo_id if current and current.present else None
            best = keepers.get(entity_id)
            for copy in found:
                keep = copy if best is None else better(best, copy, known)
                if best is not None:
                    surplus.append((entity_id, copy if keep is best else best))
                best = keep
            assert best is not None
            keepers[entity_id] = Copy(best.odoo_id, best.generation, {})
            if not best.vals:
                continue  # kept from an earlier page, already saved
            parent = budget_lines.get(best.vals.get(targets.budget_line_column))
            after = adopted(entity_id, best, current, history.get(entity_id), parent)
            if changed(current, after):
                findings.note(current, after)
                saves.append(after)
        s.records.save(entity, LINES.model, saves)
        _settle_create_keys(s, copies, keepers)
        store.found_add(s.records.conn, copies)
    _lose(s, findings)
    _remove_copies(s, surplus, findings, budget_lines, targets)
    return findings


def _settle_create_keys(s: Session, found: dict[str, list[Copy]], keepers: dict[str, Copy]) -> None:
    """Odoo holds what these create keys made: a key a crash left pending is done with its record's id, so the
    ledger agrees with Odoo. Keys a lost ledger never had are not added: the adopted records' next keys come
    after the generation their ``ref`` names (and inserting 5,000 rows a page into a ledger without statistics
    made ``histories`` of the next pages slow: 250 s instead of 50 for 100,000 lines)."""
    if s.dry_run is not None:
        return
    made = create_keys(found, {entity_id: copy.odoo_id for entity_id, copy in keepers.items()})
    entries = s.ledger.lookup(made)
    open_keys = {k: odoo_id for k, odoo_id in made.items() if k in entries and entries[k].state != DONE}
    if open_keys:
        log.info("tenant %s: %d create keys found done in Odoo", s.tenant.tenant_id, len(open_keys))
        s.ledger.mark_done(open_keys)


def pages(hook: OdooHook, model: str, domain: list[Any], fields: list[str]) -> Iterator[list[dict[str, Any]]]:
    """Every matching record, ``PAGE_ROWS`` a read, in id order (each page starts after the last id seen)."""
    last = 0
    while True:
        rows = hook.search_read(model, [*domain, ("id", ">", last)], ["id", *fields], order="id", limit=PAGE_ROWS)
        if rows:
            yield rows
        if len(rows) < PAGE_ROWS:
            return
        last = int(rows[-1]["id"])


def _lose(s: Session, findings: Findings) -> None:
    """Records that say present but Odoo does not hold: absent, created again (next generation) if still wanted."""
    tenant, entity = s.tenant.tenant_id, LINES.entity_type
    ids = store.not_found(s.records.conn, tenant, entity)
    for start in range(0, len(ids), PAGE_ROWS):
        chunk = ids[start : start + PAGE_ROWS]
        currents = s.records.states(entity, chunk)
        history = store.histories(s.conn, tenant, entity, chunk)
        for entity_id in chunk:
            findings.lose(currents[entity_id])
        s.records.save(entity, LINES.model, [lost(currents[i], history.get(i)) for i in chunk])


def _remove_copies(
    s: Session, surplus: list[tuple[str, Copy]], findings: Findings, budget_lines: dict[Any, str], targets: LineTargets
) -> None:
    """Our lines Odoo holds twice (an older generation, a duplicate): the extra copies are removed (breaker)."""
    if not surplus:
        return
    keys = _copy_keys(s, surplus)
    for entity_id, copy in surplus:
        why = f"a second copy of the line in Odoo (id {copy.odoo_id}, ref {copy.vals.get('ref')}): removed"
        findings.surplus.append((entity_id, copy.odoo_id, why))
    if s.dry_run is not None:
        removals = [
            Mutation(key, RecordState(e), before=_copy_state(e, c, budget_lines, targets))
            for (e, c), key in zip(surplus, keys, strict=True)
        ]
        s.dry_run.add(LINES, Plan(removals=removals))
        s.dry_run.breaker(LINES, s.breaker, len(surplus))  # shown as the real run would refuse it
        return
    s.breaker.check(LINES, len(surplus))  # every removal counts (sync/breaker.py), copies too
    items = [ChangeItem(key, copy.odoo_id) for (_, copy), key in zip(surplus, keys, strict=True)]
    s.summary.add(LINES.entity_type, s.writer.ensure_unlinked(LINE, items), "removed")


def _copy_state(entity_id: str, copy: Copy, budget_lines: dict[Any, str], targets: LineTargets) -> RecordState:
    parent = budget_lines.get(copy.vals.get(targets.budget_line_column))
    return RecordState(entity_id, copy.odoo_id, PRESENT, copy.generation, vals=copy.vals, parent=parent)


def _copy_keys(s: Session, surplus: Sequence[tuple[str, Copy]]) -> list[IdempotencyKey]:
    """One key per copy, ``unlink-copy<id>``; a suffix when the ledger spent it already (ids are reused after an
    Odoo restore: the copy removed then was another record)."""
    tenant, entity = s.tenant.tenant_id, LINES.entity_type
    keys = [IdempotencyKey(tenant, entity, e, f"unlink-copy{c.odoo_id}") for e, c in surplus]
    for attempt in range(2, 100):
        done = store.spent(s.conn, [str(k) for k in keys])
        if not done:
            break
        keys = [
            IdempotencyKey(tenant, entity, k.entity_id, f"unlink-copy{c.odoo_id}-{attempt}") if str(k) in done else k
            for k, (_, c) in zip(keys, surplus, strict=True)
        ]
    return keys


def model_of(entity_type: str) -> str:
    return MODELS.get(entity_type, ACCOUNT)
