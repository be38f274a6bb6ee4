"""Projects, donor categories and budget lines: read whole every run (they are small), planned, applied.

Each becomes an analytic account in its plan (projects also a project.project linked to theirs). A row gone
from the source archives its record: finance may have used the account elsewhere, so it is never deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from odoo_sync.store.records import RecordState
from odoo_sync.sync import source
from odoo_sync.sync.apply import apply
from odoo_sync.sync.context import OdooContext
from odoo_sync.sync.mapping import RowError, account_vals, detail_id, key
from odoo_sync.sync.planner import Desired, plan
from odoo_sync.sync.runtime import Session
from odoo_sync.sync.specs import ANY_ACTIVE, BUDGET_LINE, CATEGORY, PROJECT_ACCOUNT, PROJECT_RECORD, EntitySpec

Row = dict[str, Any]


def sync_projects(s: Session, octx: OdooContext) -> None:
    """Project-plan accounts, then the project.project records linked to them."""
    rows = source.fetch_all(s.source(), PROJECT_ACCOUNT.source, s.tenant.tenant_id)
    plan_id, company = octx.plan("project").id, s.tenant.company_id
    sync_entity(
        s,
        PROJECT_ACCOUNT,
        rows,
        lambda r: (r["code"], account_vals(r["code"], r["name"], plan_id, company_id=company), None),
    )
    accounts = present_ids(s, PROJECT_ACCOUNT, plan_id)
    link = octx.project_link_field
    spec = replace(PROJECT_RECORD, marker_field=link)

    def project(r: Row) -> tuple[str, dict[str, Any], str]:
        if r["code"] not in accounts:
            raise RowError(s.tenant.tenant_id, "project", r["code"], "code", "its analytic account is not synced")
        vals = {"name": r["name"], link: accounts[r["code"]], "active": r["status"] == "active"}
        if company is not None:
            vals["company_id"] = company
        return r["code"], vals, r["code"]

    sync_entity(s, spec, rows, project)


def sync_categories(s: Session, octx: OdooContext) -> None:
    """Category plan: one account per donor budget category (HR, TRV, EQP, IND)."""
    rows = source.fetch_all(s.source(), CATEGORY.source, s.tenant.tenant_id)
    plan_id, company = octx.plan("category").id, s.tenant.company_id
    sync_entity(
        s, CATEGORY, rows, lambda r: (r["code"], account_vals(r["code"], r["name"], plan_id, company_id=company), None)
    )


def sync_budget_lines(s: Session, octx: OdooContext) -> None:
    """Budget-line plan: one account per budget line of each project's donor budget (``PRJ-001/1.1.1.a``)."""
    rows = source.fetch_all(s.source(), BUDGET_LINE.source, s.tenant.tenant_id)
    plan_id, company = octx.plan("budget_line").id, s.tenant.company_id

    def budget_line(r: Row) -> tuple[str, dict[str, Any], str]:
        code = detail_id(r["project_code"], r["code"])
        return code, account_vals(code, r["name"], plan_id, company_id=company), r["category_code"]

    sync_entity(s, BUDGET_LINE, rows, budget_line)


Build = Callable[[Row], tuple[str, dict[str, Any], str | None]]


def sync_entity(s: Session, spec: EntitySpec, rows: Sequence[Row], build: Build) -> None:
    """The pipeline for a small entity: every source row's desired state, the gone ones archived."""
    states = s.records.all_states(spec.entity_type)
    desired = [_desired(s, spec, row, build) for row in rows]
    seen = {d.entity_id for d in desired}
    desired += [_archived(state) for state in states.values() if state.entity_id not in seen and state.present]
    s.summary.of(spec.entity_type).seen += len(rows)
    scope = (("plan_id", "=", _plan_of(desired)), ANY_ACTIVE) if spec.plan_role else (ANY_ACTIVE,)
    apply(s, spec, plan(spec, s.tenant.tenant_id, desired, states), scope, adopt=True)


def _desired(s: Session, spec: EntitySpec, row: Row, build: Build) -> Desired:
    tenant = s.tenant.tenant_id
    entity_id = str(row.get("code"))
    try:
        entity_id, vals, parent = build(row)
        key(tenant, spec.entity_type, entity_id, "create")  # an id no key can hold is rejected here
        if not str(vals.get("name") or "").strip():
            raise RowError(tenant, spec.entity_type, entity_id, "name", "is empty")
    except RowError as exc:
        return Desired(entity_id, None, error=str(exc))
    return Desired(entity_id, vals, parent)


def _archived(state: RecordState) -> Desired:
    """The source no longer has the row: the record stays in Odoo, archived."""
    return Desired(state.entity_id, {**(state.vals or {}), "active": False}, state.parent, gone=True)


def _plan_of(desired: Sequence[Desired]) -> int | bool:
    return next((int(d.vals["plan_id"]) for d in desired if d.vals and "plan_id" in d.vals), False)


def present_ids(s: Session, spec: EntitySpec, plan_id: int | None = None) -> dict[str, int]:
    """Active records of an entity (in ``plan_id``, when it is an account): entity id -> Odoo id."""
    return {
        entity_id: int(state.odoo_id or 0)
        for entity_id, state in s.records.all_states(spec.entity_type).items()
        if state.present and _usable(state, plan_id)
    }


def _usable(state: RecordState, plan_id: int | None) -> bool:
    """Archived accounts take no new lines; an account of another plan never goes into this plan's column."""
    vals = state.vals or {}
    if vals.get("active") is False:
        return False
    return plan_id is None or vals.get("plan_id", plan_id) == plan_id
