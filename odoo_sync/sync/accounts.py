"""Analytic accounts (one per project, donor category and budget line) and the projects themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from odoo_sync.mapping import RowError, account_vals, key, version_of
from odoo_sync.sync.runtime import Session
from odoo_sync.sync_log import Entity
from odoo_sync.writer import ChangeItem, CreateItem, CreateSpec

ACCOUNT = "account.analytic.account"
PROJECT = "project.project"
ANY_ACTIVE = ("active", "in", [True, False])


@dataclass(frozen=True, slots=True)
class AccountRow:
    """A source entity that becomes an analytic account in one plan."""

    entity_id: str
    code: str
    name: str
    updated_at: datetime


def sync_accounts(s: Session, entity_type: str, rows: Sequence[AccountRow], plan_id: int) -> dict[str, int]:
    """Create missing accounts in the plan, write renamed ones once per version; return entity id -> Odoo id."""
    tenant = s.tenant.tenant_id
    good = _valid(s, entity_type, rows)
    s.summary.of(entity_type).seen += len(rows)
    known = s.ledger.created_ids(tenant, entity_type, [r.entity_id for r in good])
    creates = [
        CreateItem(key(tenant, entity_type, r.entity_id, "create"), account_vals(r.code, r.name, plan_id), r.code)
        for r in good
        if r.entity_id not in known
    ]
    spec = CreateSpec(ACCOUNT, "code", (("plan_id", "=", plan_id), ANY_ACTIVE))
    created = s.writer.ensure_created(spec, creates)
    s.summary.add(entity_type, created)
    _record_versions(s, ACCOUNT, entity_type, good, created.ids)
    writes = [
        ChangeItem(
            key(tenant, entity_type, r.entity_id, f"write-{version_of(r.updated_at)}"),
            known[r.entity_id],
            {"name": r.name, "code": r.code},
        )
        for r in good
        if r.entity_id in known
    ]
    s.summary.add(entity_type, s.writer.ensure_written(ACCOUNT, writes), "updated")
    return {**known, **_by_entity(created.ids)}


def sync_projects(s: Session, rows: Sequence[dict[str, Any]], accounts: dict[str, int], link_field: str) -> None:
    """One project.project per source project, linked to its project-plan account (the read-back marker)."""
    tenant = s.tenant.tenant_id
    linked = [r for r in rows if r["code"] in accounts]
    s.summary.of("project").seen += len(rows)
    known = s.ledger.created_ids(tenant, "project", [r["code"] for r in linked])
    creates = [
        CreateItem(
            key(tenant, "project", r["code"], "create"), _project_vals(r, accounts, link_field), accounts[r["code"]]
        )
        for r in linked
        if r["code"] not in known
    ]
    created = s.writer.ensure_created(CreateSpec(PROJECT, link_field, (ANY_ACTIVE,)), creates)
    s.summary.add("project", created)
    as_rows = [AccountRow(r["code"], r["code"], r["name"], r["updated_at"]) for r in linked]
    _record_versions(s, PROJECT, "project", as_rows, created.ids)
    writes = [
        ChangeItem(
            key(tenant, "project", r["code"], f"write-{version_of(r['updated_at'])}"),
            known[r["code"]],
            {"name": r["name"], "active": r["status"] == "active"},
        )
        for r in linked
        if r["code"] in known
    ]
    s.summary.add("project", s.writer.ensure_written(PROJECT, writes), "updated")


def _project_vals(row: dict[str, Any], accounts: dict[str, int], link_field: str) -> dict[str, Any]:
    return {"name": row["name"], link_field: accounts[row["code"]], "active": row["status"] == "active"}


def _valid(s: Session, entity_type: str, rows: Sequence[AccountRow]) -> list[AccountRow]:
    """Drop rows whose id or name cannot be synced, with one error row each."""
    good, rejected = [], []
    for row in rows:
        try:
            key(s.tenant.tenant_id, entity_type, row.entity_id, "create")
            if not row.name.strip():
                raise RowError(s.tenant.tenant_id, entity_type, row.entity_id, "name", "is empty")
            good.append(row)
        except RowError as exc:
            rejected.append((Entity(entity_type, row.entity_id, "create"), str(exc)))
    s.sync_log.record_rejections(ACCOUNT, rejected)
    s.summary.of(entity_type).errors += len(rejected)
    return good


def _record_versions(
    s: Session, model: str, entity_type: str, rows: Sequence[AccountRow], created_ids: dict[str, int]
) -> None:
    """A create writes the current version too: mark its write key done so it is not written again."""
    tenant = s.tenant.tenant_id
    done = []
    for row in rows:
        odoo_id = created_ids.get(str(key(tenant, entity_type, row.entity_id, "create")))
        if odoo_id:
            done.append((key(tenant, entity_type, row.entity_id, f"write-{version_of(row.updated_at)}"), odoo_id))
    s.ledger.record_done(model, done)


def _by_entity(ids_by_key: dict[str, int]) -> dict[str, int]:
    return {k.split(":")[2]: v for k, v in ids_by_key.items()}
