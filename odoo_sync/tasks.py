"""Task bodies of the tenant DAG: each opens a session, does one step, logs a summary."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from odoo_sync import db
from odoo_sync.mapping import LineTargets, detail_id
from odoo_sync.migrate import migrate
from odoo_sync.plans import resolve_context
from odoo_sync.sync import source
from odoo_sync.sync.accounts import AccountRow, sync_accounts, sync_projects
from odoo_sync.sync.lines import sync_lines
from odoo_sync.sync.runtime import Session, line_window, session

log = logging.getLogger(__name__)


def migrate_schema() -> list[str]:
    """Create or upgrade the odoo_sync schema (idempotent, serialised by an advisory lock)."""
    with db.connect() as conn:
        return migrate(conn)


def check_odoo(tenant_id: str, context: dict[str, Any]) -> dict[str, Any]:
    """Version >= 17, analytic accounting on, the three root plans: returns the resolved Odoo context."""
    with session(tenant_id, context, exclusive=False) as s:
        octx = resolve_context(s.hook, s.tenant)
    log.info("tenant %s: Odoo %s, plans %s", tenant_id, octx["server_version"], octx["plans"])
    return octx


def projects(tenant_id: str, octx: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Project-plan accounts, then the project.project records linked to them."""
    with session(tenant_id, context, octx=octx) as s:
        rows = source.fetch_all(s.source(), "projects", tenant_id)
        accounts = sync_accounts(
            s,
            "project_account",
            [AccountRow(r["code"], r["code"], r["name"], r["updated_at"]) for r in rows],
            octx["plans"]["project"]["id"],
        )
        sync_projects(s, rows, accounts, octx["project_link_field"])
        return _finish(s)


def budget_categories(tenant_id: str, octx: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Plan 2: one account per donor budget category (HR, TRV, EQP, IND)."""
    with session(tenant_id, context, octx=octx) as s:
        rows = source.fetch_all(s.source(), "budget_categories", tenant_id)
        accounts = [AccountRow(r["code"], r["code"], r["name"], r["updated_at"]) for r in rows]
        sync_accounts(s, "category", accounts, octx["plans"]["budget_line"]["id"])
        return _finish(s)


def budget_lines(tenant_id: str, octx: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Plan 3: one account per budget line of each project's donor budget."""
    with session(tenant_id, context, octx=octx) as s:
        rows = source.fetch_all(s.source(), "budget_lines", tenant_id)
        accounts = [
            AccountRow(
                detail_id(r["project_code"], r["code"]),
                detail_id(r["project_code"], r["code"]),
                r["name"],
                r["updated_at"],
            )
            for r in rows
        ]
        sync_accounts(s, "budget_line", accounts, octx["plans"]["budget_detail"]["id"])
        return _finish(s)


def analytic_lines(tenant_id: str, octx: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Spending lines changed in the run's window, each carrying one account per plan."""
    full_resync = bool((context.get("params") or {}).get("full_resync"))
    with session(tenant_id, context, octx=octx) as s:
        start, end = line_window(context, _watermark(s), full_resync)
        log.info("tenant %s: lines changed in [%s, %s)", tenant_id, start or "the beginning", end)
        sync_lines(s, _line_targets(s, octx), start, end)
        _advance_watermark(s, end)
        return _finish(s)


def _line_targets(s: Session, octx: dict[str, Any]) -> LineTargets:
    tenant = s.tenant.tenant_id
    budget = source.fetch_all(s.source(), "budget_lines", tenant)
    details = s.ledger.created_ids(tenant, "budget_line")
    categories = {detail_id(r["project_code"], r["code"]): r["category_code"] for r in budget}
    plans = octx["plans"]
    return LineTargets(
        tenant_id=tenant,
        currency=octx["currency"],
        project_column=plans["project"]["column"],
        budget_line_column=plans["budget_line"]["column"],
        budget_detail_column=plans["budget_detail"]["column"],
        project_accounts=s.ledger.created_ids(tenant, "project_account"),
        category_accounts=s.ledger.created_ids(tenant, "category"),
        detail_accounts={key: (details[key], category) for key, category in categories.items() if key in details},
        max_description_chars=s.tenant.max_description_chars,
    )


def _watermark(s: Session) -> datetime | None:
    row = s.conn.execute(
        "SELECT watermark FROM odoo_sync.watermark WHERE tenant_id = %s AND entity_type = 'line'",
        (s.tenant.tenant_id,),
    ).fetchone()
    s.conn.commit()
    return row[0] if row else None


def _advance_watermark(s: Session, end: datetime) -> None:
    s.conn.execute(
        "INSERT INTO odoo_sync.watermark (tenant_id, entity_type, watermark) VALUES (%s, 'line', %s)"
        " ON CONFLICT (tenant_id, entity_type) DO UPDATE"
        " SET watermark = GREATEST(odoo_sync.watermark.watermark, EXCLUDED.watermark), updated_at = now()",
        (s.tenant.tenant_id, end),
    )
    s.conn.commit()


def _finish(s: Session) -> dict[str, Any]:
    log.info("%s", s.summary.table())
    s.summary.check_error_share(s.tenant.max_error_share)
    return s.summary.as_dict()
