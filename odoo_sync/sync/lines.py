"""Spending lines to account.analytic.line: one account from each plan on the same line."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from odoo_sync.mapping import LineTargets, RowError, key, line_vals
from odoo_sync.sync import source
from odoo_sync.sync.runtime import Session
from odoo_sync.sync_log import Entity
from odoo_sync.writer import ChangeItem, CreateItem, CreateSpec

LINE = "account.analytic.line"
log = logging.getLogger(__name__)


@dataclass
class LinePlan:
    """What one chunk of source lines asks of Odoo (computed without calling it)."""

    creates: list[CreateItem] = field(default_factory=list)
    revisions: dict[str, Any] = field(default_factory=dict)  # create key -> key of the revision it writes
    writes: list[ChangeItem] = field(default_factory=list)
    unlinks: list[ChangeItem] = field(default_factory=list)
    rejected: list[tuple[Entity, str]] = field(default_factory=list)
    not_ours: list[str] = field(default_factory=list)


def plan_lines(rows: Sequence[dict[str, Any]], targets: LineTargets, created: dict[str, int]) -> LinePlan:
    """Decide create / write-r<revision> / unlink / reject for each source row (pure)."""
    plan, tenant = LinePlan(), targets.tenant_id
    for row in rows:
        try:
            _plan_row(plan, row, targets, created.get(str(row.get("id"))), tenant)
        except RowError as exc:
            plan.rejected.append((Entity("line", str(row.get("id")), "create"), str(exc)))
    return plan


def _plan_row(plan: LinePlan, row: dict[str, Any], t: LineTargets, odoo_id: int | None, tenant: str) -> None:
    create_key = key(tenant, "line", row.get("id"), "create")
    if row.get("status") == "void":
        if odoo_id is None:
            plan.not_ours.append(create_key.entity_id)
        else:
            plan.unlinks.append(ChangeItem(key(tenant, "line", create_key.entity_id, "unlink"), odoo_id))
        return
    revision = _revision(row, tenant)
    vals = line_vals(row, t, str(create_key))
    write_key = key(tenant, "line", create_key.entity_id, f"write-r{revision}")
    if odoo_id is None:
        plan.creates.append(CreateItem(create_key, vals, str(create_key)))
        plan.revisions[str(create_key)] = write_key
    else:
        plan.writes.append(ChangeItem(write_key, odoo_id, vals))


def _revision(row: dict[str, Any], tenant: str) -> int:
    try:
        revision = int(str(row.get("revision") or 1).strip())  # "2.5", inf or NaN are rejected, not truncated
    except (TypeError, ValueError, OverflowError):
        revision = 0
    if revision < 1:
        raise RowError(
            tenant, "line", str(row.get("id")), "revision", f"{row.get('revision')!r} is not a positive integer"
        )
    return revision


def sync_lines(s: Session, targets: LineTargets, start: datetime | None, end: datetime) -> None:
    """Stream changed lines in chunks; each chunk: plan, then apply through the ledger."""
    tenant, started, seen = s.tenant.tenant_id, time.monotonic(), 0
    total = source.count_changed_lines(s.source(), tenant, start, end)
    for rows in source.changed_lines(s.source(), tenant, start, end):
        created = s.ledger.created_ids(tenant, "line", [str(r["id"]) for r in rows])
        apply_plan(s, plan_lines(rows, targets, created))
        seen += len(rows)
        log.info("tenant %s: lines %s/%s, %.0f s", tenant, f"{seen:,}", f"{total:,}", time.monotonic() - started)
    s.summary.of("line").seen += seen


def apply_plan(s: Session, plan: LinePlan) -> None:
    """Apply one chunk's plan: rejects logged, creates batched, revisions written once, voids removed."""
    s.sync_log.record_rejections(LINE, plan.rejected)
    s.summary.of("line").errors += len(plan.rejected)
    created = s.writer.ensure_created(CreateSpec(LINE, "ref"), plan.creates)
    s.summary.add("line", created)
    s.ledger.record_done(LINE, [(plan.revisions[k], i) for k, i in created.ids.items() if k in plan.revisions])
    s.summary.add("line", s.writer.ensure_written(LINE, plan.writes), "updated")
    s.summary.add("line", s.writer.ensure_unlinked(LINE, plan.unlinks), "removed")
    if plan.not_ours:
        log.warning(
            "tenant %s: %d voided lines were never created by this integration; left alone: %s",
            s.tenant.tenant_id,
            len(plan.not_ours),
            ", ".join(plan.not_ours[:20]),
        )
