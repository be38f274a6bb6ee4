"""Task bodies of the tenant DAG: each opens a session, does one step, logs a summary."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from odoo_sync.config import tenant_by_id
from odoo_sync.odoo.json2 import api_of
from odoo_sync.store import db, dry_runs, markers, sync_runs, watermarks
from odoo_sync.store.migrate import migrate
from odoo_sync.sync import changes, cursor, source
from odoo_sync.sync.binding import check_binding, odoo_identity
from odoo_sync.sync.context import OdooContext
from odoo_sync.sync.lines import SPEC as LINES
from odoo_sync.sync.lines import sync_lines
from odoo_sync.sync.plans import context_summary, resolve_context
from odoo_sync.sync.rebuild import draft_records, prepare_lines
from odoo_sync.sync.reference import sync_budget_lines, sync_categories, sync_projects
from odoo_sync.sync.runtime import DEFAULT_SEAMS, Seams, Session, param, session

log = logging.getLogger(__name__)
OdooContextData = dict[str, Any]


def migrate_schema() -> list[str]:
    """Create or upgrade the odoo_sync schema (idempotent, serialised by an advisory lock)."""
    with db.connect() as conn:
        return migrate(conn)


def source_changed(tenant_id: str, context: dict[str, Any]) -> bool:
    """The gate: False (every later task skipped, no Odoo call) when the source has not changed since the last
    sync and nothing else asks for a run (``odoo_sync.sync.changes``)."""
    tenant = tenant_by_id(tenant_id)
    with db.connect() as conn, psycopg.connect(db.conninfo_for(tenant.source_conn_id)) as src:
        src.read_only = True
        decision = changes.check(conn, src, tenant, context)
        if not decision.proceed:  # the source equals what Odoo last received: the tenant is in step
            sync_runs.record_success(conn, tenant_id, context.get("run_id"), datetime.now(UTC))
    log.info("tenant %s: %s: %s", tenant_id, "sync" if decision.proceed else "nothing to do", decision.why)
    return decision.proceed


def check_odoo(tenant_id: str, context: dict[str, Any], *, seams: Seams = DEFAULT_SEAMS) -> OdooContextData:
    """Version >= 17, analytic accounting on, the three root plans, and the tenant's binding to this database.

    Every task body takes ``seams`` (``odoo_sync.sync.runtime.Seams``): the harness and the bench watch through it.
    """
    cursor.refuse_future_run(tenant_id, context, datetime.now(UTC))  # before any Odoo call of this run
    with session(tenant_id, context, exclusive=False, seams=seams) as s:
        octx = replace(resolve_context(s.hook, s.tenant), odoo_identity=odoo_identity(s.hook), api=api_of(s.hook))
        check_binding(s.conn, tenant_id, s.hook, octx)
        if not param(context, "dry_run"):  # what health compares the last success with
            sync_runs.record_start(s.conn, tenant_id, context.get("run_id"), datetime.now(UTC))
    log.info("tenant %s: Odoo %s, plans %s", tenant_id, octx.server_version, context_summary(octx))
    return octx.to_xcom()


def projects(
    tenant_id: str, octx: OdooContextData, context: dict[str, Any], *, seams: Seams = DEFAULT_SEAMS
) -> dict[str, Any]:
    """Project-plan accounts, then the project.project records linked to them."""
    with session(tenant_id, context, octx=octx, seams=seams) as s:
        sync_projects(s, OdooContext.from_xcom(octx))
        return _finish(s)


def budget_categories(
    tenant_id: str, octx: OdooContextData, context: dict[str, Any], *, seams: Seams = DEFAULT_SEAMS
) -> dict[str, Any]:
    """Category plan: one account per donor budget category (HR, TRV, EQP, IND)."""
    with session(tenant_id, context, octx=octx, seams=seams) as s:
        sync_categories(s, OdooContext.from_xcom(octx))
        return _finish(s)


def budget_lines(
    tenant_id: str, octx: OdooContextData, context: dict[str, Any], *, seams: Seams = DEFAULT_SEAMS
) -> dict[str, Any]:
    """Budget-line plan: one account per budget line of each project's donor budget."""
    with session(tenant_id, context, octx=octx, seams=seams) as s:
        sync_budget_lines(s, OdooContext.from_xcom(octx))
        return _finish(s)


def analytic_lines(
    tenant_id: str, octx: OdooContextData, context: dict[str, Any], *, seams: Seams = DEFAULT_SEAMS
) -> dict[str, Any]:
    """Spending lines from the durable cursor's window, each carrying one account per plan; first, when asked, on a
    reconciliation or when Odoo and the records disagree, the records are rebuilt from Odoo (sync/rebuild.py)."""
    with session(tenant_id, context, octx=octx, seams=seams) as s:
        window = _line_window(s, context)
        with draft_records(s):  # a dry run rebuilds the records (if it must) into a draft, rolled back
            asked = bool(param(context, "rebuild"))
            targets, window = prepare_lines(s, OdooContext.from_xcom(octx), window, asked=asked)
            log.info("tenant %s: %s", tenant_id, window.describe())
            sync_lines(s, targets, window)
        if s.dry_run is None:  # a dry run leaves the cursor where it was: the real run reads the same window
            cursor.advance(s.conn, tenant_id, LINES.entity_type, window)
            if window.advance_to is not None:  # what the gate saw is in Odoo now (not after a backfill)
                markers.mark_synced(s.conn, tenant_id, cursor.run_end(context), window.advance_to)
        result = _finish(s)
        if s.dry_run is None:  # the run's last step is done: health sees the sync, not only the ping
            sync_runs.record_success(s.conn, tenant_id, context.get("run_id"), datetime.now(UTC))
        return result


def _line_window(s: Session, context: dict[str, Any]) -> cursor.Window:
    """The cursor's window; a full reconciliation when asked, due, or when passed rows changed."""
    tenant = s.tenant
    lookback = timedelta(minutes=tenant.lookback_minutes)
    mark = watermarks.read_mark(s.conn, tenant.tenant_id, LINES.entity_type)
    window = cursor.plan_window(
        context,
        mark,
        lookback=lookback,
        reconcile_every=timedelta(hours=tenant.reconcile_every_hours),
        force_full=bool(param(context, "reconcile") or param(context, "full_resync")),
        now=datetime.now(UTC),
        tenant_id=tenant.tenant_id,
    )
    if window.advance_to is None:  # a backfill replays its range and leaves the cursor alone
        return window
    prints = source.fingerprints(s.source(), tenant.tenant_id, mark.settled_before, window.advance_to - lookback)
    return cursor.settle(window, mark, prints, lookback)


def _finish(s: Session) -> dict[str, Any]:
    if s.dry_run is not None:  # the plan is the artifact (task log, XCom, health page); no error-share gate
        log.info("%s", s.dry_run.table())
        summary = s.dry_run.as_dict()
        dry_runs.save_dry_run(s.conn, s.tenant.tenant_id, s.sync_log.run, summary)
        return {"dry_run": summary}
    log.info("%s", s.summary.table())
    tracked = {entity: s.records.count(entity) for entity in s.summary.counts}
    s.summary.check_error_share(s.tenant.max_error_share, tracked)
    return s.summary.as_dict()
