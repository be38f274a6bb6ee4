"""Odoo 17's business rules for analytic plans, accounts, lines and projects, run around the store's writes.

* A root plan owns a column on analytic lines: ``account_id`` for the plan whose id is the system parameter
  ``analytic.project_plan``, ``x_plan<ID>_id`` for the others. Child plans share their root's column.
  Reparenting a root plan drops its column and the data in it; deleting it drops the column too.
* ``account.analytic.account.root_plan_id`` is the root of its plan (stored related).
* ``account.analytic.line.currency_id`` is its company's currency (stored related).
* Renaming a project renames its analytic account when no other project shares that account.
"""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING, Any

from odoo_test_server import errors, versions
from odoo_test_server.schema import ACCOUNT, LINE, PLAN, PLAN_COLUMN_PREFIX, PROJECT, ModelDef

if TYPE_CHECKING:
    from odoo_test_server.store import Store

COMPANY = "res.company"
PARAM = "ir.config_parameter"
BASE_COLUMN = "This column contains module data and cannot be removed!"
NO_ACCOUNT = "At least one analytic account must be set"
NO_PROJECT_PLAN = (
    "A 'Project' plan needs to exist and its id needs to be set as `analytic.project_plan` in the system variables"
)


def get_param(store: Store, key: str) -> str | None:
    rids = store.index_ids(PARAM, "key", [key]) or set()
    for rid in rids:
        return store.tables[PARAM][rid].get("value")
    return None


def project_plan_id(store: Store) -> int:
    try:
        return int(get_param(store, "analytic.project_plan") or 0)
    except ValueError:
        return 0


def project_field(store: Store) -> str:
    """The project's link to its analytic account: renamed in Odoo 18."""
    return versions.project_field(store.version)


def defaults(store: Store, mdef: ModelDef, uid: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in mdef.defaults.items():
        if value == "@today":
            value = date.today().isoformat()
        elif value == "@uid":
            value = uid
        elif value == "@company":
            value = store.tables["res.users"].get(uid, {}).get("company_id") or 1
        out[name] = value
    if mdef.name == PLAN:
        out["color"] = random.randint(1, 11)
    return out


# -- hooks called by the store -------------------------------------------------------------------------------
def check_create(store: Store, model: str, rows: list[dict[str, Any]]) -> None:
    if model == PLAN and not project_plan_id(store):  # Odoo checks browse(int(param)), truthy unless 0
        raise errors.UserError(NO_PROJECT_PLAN)
    written = {key for row in rows for key in row}  # constraints run on the whole batch
    for row in rows if model == LINE else ():
        _check_line_accounts(store, written, row)


def _check_line_accounts(store: Store, written: set[str], row: dict[str, Any]) -> None:
    """From 18 (_check_account_id): a line whose plan columns are written keeps at least one account."""
    columns = set(store.plan_columns.values())
    if store.version >= 18 and written & columns and not any(row.get(c) for c in columns):
        raise errors.ValidationError(NO_ACCOUNT)


def after_create(store: Store, model: str, ids: list[int]) -> None:
    if model == PLAN:
        _plans_changed(store, ids)
    elif model == ACCOUNT:
        _set_root_plans(store, ids)
    elif model == LINE:
        _set_currencies(store, ids)
    elif model == PARAM:
        store.schema_changed()


def check_write(store: Store, model: str, ids: list[int], changes: dict[str, Any]) -> None:
    for rid in ids if model == LINE else ():
        _check_line_accounts(store, set(changes), {**store.tables[LINE][rid], **changes})
    if model != PLAN or "parent_id" not in changes:
        return
    parent = changes["parent_id"]
    if parent and parent in store.descendants(PLAN, set(ids)):
        raise errors.UserError("Recursion Detected.")
    if parent and project_plan_id(store) in ids:
        raise errors.UserError(BASE_COLUMN)


def after_write(store: Store, model: str, ids: list[int], changes: dict[str, Any]) -> None:
    if model == PLAN and ("name" in changes or "parent_id" in changes):
        _plans_changed(store, ids)
    elif model == ACCOUNT and "plan_id" in changes:
        _set_root_plans(store, ids)
    elif model == LINE and "company_id" in changes:
        _set_currencies(store, ids)
    elif model == PROJECT and "name" in changes:
        _rename_accounts(store, ids)
    elif model == COMPANY and "currency_id" in changes:
        lines = [rid for rid, rec in store.tables[LINE].items() if rec.get("company_id") in ids]
        _set_currencies(store, lines)
    elif model == PARAM:
        store.schema_changed()


def check_unlink(store: Store, model: str, ids: list[int]) -> None:
    if model == PLAN and project_plan_id(store) in ids:
        raise errors.UserError(BASE_COLUMN)


def after_unlink(store: Store, doomed: dict[str, set[int]]) -> None:
    gone = doomed.get(PLAN, set())
    for plan_id in [p for p in store.plan_columns if p in gone]:
        column = store.plan_columns.pop(plan_id)
        if column.startswith(PLAN_COLUMN_PREFIX):
            store.drop_column(column)
    if gone or doomed.get(PARAM):
        store.schema_changed()


# -- plans ---------------------------------------------------------------------------------------------------
def _plans_changed(store: Store, ids: list[int]) -> None:
    plans = store.tables[PLAN]
    subtree = store.descendants(PLAN, set(ids))
    for plan_id in sorted(subtree, key=lambda p: _depth(plans, p)):
        plan = plans[plan_id]
        parent = plans.get(plan.get("parent_id") or 0)
        plan["parent_path"] = f"{parent['parent_path'] if parent else ''}{plan_id}/"
        plan["complete_name"] = f"{parent['complete_name']} / {plan['name']}" if parent else plan["name"]
    for plan_id in ids:
        _sync_column(store, plan_id)
    accounts = [rid for rid, rec in store.tables[ACCOUNT].items() if rec.get("plan_id") in subtree]
    _set_root_plans(store, accounts)
    store.schema_changed()


def _depth(plans: dict[int, dict[str, Any]], plan_id: int) -> int:
    depth = 0
    while (plan_id := plans[plan_id].get("parent_id") or 0) and depth < len(plans):
        depth += 1
    return depth


def _sync_column(store: Store, plan_id: int) -> None:
    """_sync_plan_column: a root plan has a column, a child plan has none (its data is dropped)."""
    is_root = not store.tables[PLAN][plan_id].get("parent_id")
    column = store.plan_columns.get(plan_id)
    if is_root and column is None:
        if plan_id == project_plan_id(store):
            store.plan_columns[plan_id] = "account_id"
        elif store.version >= 17:
            store.plan_columns[plan_id] = f"{PLAN_COLUMN_PREFIX}{plan_id}_id"
    elif not is_root and column is not None:
        del store.plan_columns[plan_id]
        if store.version < 18:  # 18 keeps the column's data: it is back when the plan is a root again
            store.drop_column(column)


def root_of(store: Store, plan_id: int | None) -> int | None:
    plans = store.tables[PLAN]
    plan = plans.get(plan_id or 0)
    if plan is None:
        return None
    return int(str(plan.get("parent_path") or f"{plan_id}/").split("/")[0])


def _set_root_plans(store: Store, ids: list[int]) -> None:
    table = store.tables[ACCOUNT]
    for rid in ids:
        table[rid]["root_plan_id"] = root_of(store, table[rid].get("plan_id"))


def _set_currencies(store: Store, ids: list[int]) -> None:
    table, companies = store.tables[LINE], store.tables[COMPANY]
    for rid in ids:
        company = companies.get(table[rid].get("company_id") or 0)
        table[rid]["currency_id"] = company.get("currency_id") if company else None


def _rename_accounts(store: Store, ids: list[int]) -> None:
    link = project_field(store)
    projects = store.tables[PROJECT]
    accounts: set[int] = {projects[rid][link] for rid in ids if projects[rid].get(link)}
    for account in accounts:
        users = [p for p in projects.values() if p.get(link) == account]
        if len(users) == 1:
            store.apply_write(ACCOUNT, [account], {"name": users[0]["name"]}, users[0].get("write_uid"))
