"""The drift check of one tenant: read the source, the record store and Odoo (never writing there), compare."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from odoo_sync import metrics
from odoo_sync.drift import odoo_side
from odoo_sync.drift.report import DriftReport, MissingRecord, Totals, add_amount, compare_totals
from odoo_sync.odoo.client import major_version
from odoo_sync.store import drift as drift_store
from odoo_sync.store.sync_log import CallResult, Entity, RunContext
from odoo_sync.sync import source
from odoo_sync.sync.context import OdooContext
from odoo_sync.sync.lines import SPEC as LINES
from odoo_sync.sync.lines import desired_lines, line_targets
from odoo_sync.sync.planner import plan
from odoo_sync.sync.plans import resolve_context
from odoo_sync.sync.runtime import Session, run_context, session
from odoo_sync.sync.specs import SPECS

log = logging.getLogger(__name__)
DRIFT_ENTITY = "drift"
# the entity whose records are a plan's accounts -> that plan's role
ENTITY_ROLE = {spec.entity_type: spec.plan_role for spec in SPECS.values() if spec.plan_role}


def check_tenant(tenant_id: str, context: dict[str, Any] | None = None, now: datetime | None = None) -> DriftReport:
    """Compare the tenant's Odoo with its source; store the check and a sync_log row; return the report."""
    checked_at = now or datetime.now(UTC)
    run = run_context(context)
    with session(tenant_id, context) as s:  # the tenant's lock: it resets the records' seen marks
        odoo_side.read_only(s.hook)
        report = DriftReport(tenant_id)
        try:
            octx = resolve_context(s.hook, s.tenant)
            compare(s, octx, report)
        except Exception as exc:
            s.conn.rollback()
            _save(s, report, checked_at, run, f"{type(exc).__name__}")
            _log_row(s, "error", f"drift check failed: {type(exc).__name__}")
            metrics.drift(tenant_id, "error", None)
            raise
        _save(s, report, checked_at, run)
        _log_row(s, "error" if report.state == "drift" else "ok", report.summary())
    metrics.drift(tenant_id, report.state, report.lines_waiting)
    log.info("tenant %s: drift check: %s: %s", tenant_id, report.state, report.summary())
    return report


def compare(s: Session, octx: OdooContext, report: DriftReport) -> None:
    """Fill ``report``: per-plan totals (source, synced, Odoo), records gone from Odoo, lines waiting."""
    tenant = s.tenant.tenant_id
    wanted, report.lines_waiting = source_totals(s, octx)
    synced = drift_store.synced_totals(s.conn, tenant, {role: ref.column for role, ref in octx.plans.items()})
    major = major_version({"server_version": octx.server_version}) or 17
    in_odoo = odoo_side.plan_totals(s.hook, tenant, octx.plans, major)
    codes = drift_store.account_codes(s.conn, tenant, ENTITY_ROLE)
    report.totals = compare_totals(wanted, synced, in_odoo, codes, octx.currency_decimals, octx.currency_rounding)
    report.accounts = len(set(wanted) | set(in_odoo))
    report.missing = missing_records(s)
    report.columns = {role: ref.column for role, ref in octx.plans.items()}


def source_totals(s: Session, octx: OdooContext) -> tuple[Totals, int]:
    """Per plan account, what the source's lines add up to once mapped as the sync maps them; and how many
    lines the next sync would create, write, remove or still reject (planned, never applied)."""
    tenant, targets = s.tenant.tenant_id, line_targets(s, octx)
    totals: Totals = {}
    waiting = 0
    s.records.seen_reset()
    for rows in source.changed_lines(s.source(), tenant, None, None):
        desired = desired_lines(rows, targets)
        for d in desired:
            for role, ref in octx.plans.items():
                if d.vals is not None:
                    add_amount(totals, role, d.vals.get(ref.column), d.vals["amount"])
        p = plan(LINES, tenant, desired, s.records.states(LINES.entity_type, [d.entity_id for d in desired]))
        waiting += p.mutations + len(p.rejected)
        s.records.seen_add(d.entity_id for d in desired)
    return totals, waiting + s.records.count_unseen(LINES.entity_type)


def missing_records(s: Session) -> list[MissingRecord]:
    """Records of every entity that Odoo deleted, archived or restored behind the sync's back."""
    found: list[MissingRecord] = []
    for spec in SPECS.values():
        has_active = spec.entity_type != LINES.entity_type
        for chunk in drift_store.present_records(s.conn, s.tenant.tenant_id, spec.entity_type):
            found += odoo_side.missing_records(s.hook, spec.entity_type, spec.model, chunk, has_active)
    return found


def _save(s: Session, report: DriftReport, checked_at: datetime, run: RunContext, error: str | None = None) -> None:
    """The check's drift_check row; a check that failed is saved as state error, with what it had found."""
    hand = len(report.hand_totals)
    check = drift_store.DriftCheck(
        report.tenant_id,
        checked_at,
        "error" if error else report.state,
        totals_drift=hand,
        totals_pending=len(report.totals) - hand,
        missing=len(report.missing),
        lines_waiting=report.lines_waiting,
        accounts=report.accounts,
        findings=report.findings(),
        error=error,
        dag_id=run.dag_id,
        run_id=run.run_id,
    )
    drift_store.save_check(s.conn, check)


def _log_row(s: Session, outcome: str, text: str) -> None:
    """The check's own sync_log row (its Odoo reads have theirs): filter by entity 'drift'."""
    call = CallResult(None, "drift_check", None, None, None, outcome, text if outcome == "error" else None)
    s.sync_log.record(call, [Entity(DRIFT_ENTITY, operation="check")])
