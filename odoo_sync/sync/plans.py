"""Resolve a tenant's Odoo set-up at run time: plans, their line columns, company, currency."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from odoo_sync.config import TenantConfig
from odoo_sync.errors import OdooSetupError
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.models import ACCOUNT, COMPANY, CURRENCY, LINE, PLAN, PROJECT, USER
from odoo_sync.sync.context import PLAN_ROLES, OdooContext, PlanRef

PROJECT_COLUMN = "account_id"
_PLAN_COLUMN = re.compile(r"^x_plan(\d+)_id$")


def resolve_context(hook: OdooHook, tenant: TenantConfig) -> OdooContext:
    """Everything later steps need to know about this Odoo."""
    roots = hook.root_plans()
    columns = _plan_columns(hook)
    missing = missing_plans(tenant, roots)
    plans = {role: _plan_for(hook, tenant, role, roots, columns, missing) for role in PLAN_ROLES}
    if len({plan.id for plan in plans.values()}) < len(PLAN_ROLES):
        raise OdooSetupError(f"tenant {tenant.tenant_id}: the three plans must be three different root plans")
    company = _company(hook, tenant)
    return OdooContext(
        server_version=str(hook.server_version.get("server_version")),
        uid=hook.uid,
        plans=plans,
        project_link_field=_project_link_field(hook),
        company_id=company.id,
        currency=company.currency,
        currency_decimals=company.decimals,
        currency_rounding=company.rounding,
        rate_company_id=company.root_id,
    )


def missing_plans(tenant: TenantConfig, roots: Collection[str]) -> dict[str, str]:
    """The tenant's configured root plans (role -> name) that Odoo does not have among ``roots``' names: a run
    creates them (``create_plans``) or stops naming the first, health warns of each."""
    return {role: name for role in PLAN_ROLES if (name := tenant.plans.of(role)) and name not in roots}


def _plan_columns(hook: OdooHook) -> dict[int, str]:
    """Root plan id -> its column on analytic lines; the project plan is the root plan without x_plan."""
    fields = hook.fields_get(LINE, ("type", "relation"))
    return {int(m.group(1)): name for name in fields if (m := _PLAN_COLUMN.match(name))}


def _plan_for(
    hook: OdooHook,
    tenant: TenantConfig,
    role: str,
    roots: dict[str, int],
    columns: dict[int, str],
    missing: dict[str, str],
) -> PlanRef:
    name = tenant.plans.of(role)
    if role == "project" and name is None:
        without_column = [pid for pid in roots.values() if pid not in columns]
        if len(without_column) != 1:
            raise OdooSetupError(f"tenant {tenant.tenant_id}: cannot tell Odoo's project plan apart")
        return PlanRef(without_column[0], _name_of(roots, without_column[0]), PROJECT_COLUMN)
    assert name is not None
    if role in missing:
        roots[name] = _create_or_explain(hook, tenant, role, name)
        columns = _plan_columns(hook)
    plan_id = roots[name]
    return PlanRef(plan_id, name, columns.get(plan_id, PROJECT_COLUMN))


def _create_or_explain(hook: OdooHook, tenant: TenantConfig, role: str, name: str) -> int:
    if not tenant.create_plans:
        raise OdooSetupError(
            f"tenant {tenant.tenant_id}: Odoo has no root analytic plan named {name!r} (plans.{role}). Create it "
            f"in Odoo (Accounting > Configuration > Analytic Plans, no parent), or set create_plans: true."
        )
    return int(hook.execute(PLAN, "create", [{"name": name}], setup=True))


def _project_link_field(hook: OdooHook) -> str:
    """Odoo 17 links a project with analytic_account_id; 18 renamed it account_id."""
    fields = hook.fields_get(PROJECT, ("type", "relation"))
    for candidate in ("analytic_account_id", "account_id"):
        if fields.get(candidate, {}).get("relation") == ACCOUNT:
            return candidate
    raise OdooSetupError("project.project has no analytic account field: is the project app installed?")


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    currency: str
    decimals: int
    root_id: int
    rounding: float | None = None


def _company(hook: OdooHook, tenant: TenantConfig) -> Company:
    """The tenant's company (one the user may work in), its currency, the currency's rounding factor and decimal
    places (amounts are rounded as Odoo rounds them, ``money.monetary``) and its root company (whose rates Odoo
    converts with)."""
    user = hook.search_read(USER, [("id", "=", hook.uid)], ["company_id", "company_ids"])[0]
    company_id = tenant.company_id or int(user["company_id"][0])
    allowed = [int(c) for c in user.get("company_ids") or [company_id]]
    if company_id not in allowed:
        raise OdooSetupError(
            f"tenant {tenant.tenant_id}: company_id {company_id} is not one of the companies the Odoo user may "
            f"work in ({', '.join(map(str, allowed))}). In Odoo, add it to the user's Allowed Companies "
            f"(Settings > Users), or set the tenant's company_id to one of them."
        )
    rows = hook.search_read(COMPANY, [("id", "=", company_id)], ["currency_id", "parent_id"])
    if not rows:
        raise OdooSetupError(f"tenant {tenant.tenant_id}: company_id {company_id} does not exist in Odoo")
    currency_id, currency = rows[0]["currency_id"][0], str(rows[0]["currency_id"][1])
    currencies = hook.search_read(CURRENCY, [("id", "=", currency_id)], ["decimal_places", "rounding"])
    decimals = int(currencies[0]["decimal_places"]) if currencies else 2
    rounding = (float(currencies[0].get("rounding") or 0) or None) if currencies else None
    root = _root_company(hook, company_id, rows[0].get("parent_id"))
    return Company(company_id, currency, decimals, root, rounding)


def _root_company(hook: OdooHook, company_id: int, parent: Any) -> int:
    """Odoo 17+ branches use their root company's rates; walk up ``parent_id`` (a branch is rarely deep)."""
    for _ in range(10):
        if not parent:
            return company_id
        company_id = int(parent[0])
        rows = hook.search_read(COMPANY, [("id", "=", company_id)], ["parent_id"])
        parent = rows[0].get("parent_id") if rows else False
    return company_id


def _name_of(roots: dict[str, int], plan_id: int) -> str:
    return next(name for name, pid in roots.items() if pid == plan_id)


def context_summary(octx: OdooContext) -> dict[str, Any]:
    """Plans by role, for the task log."""
    return {role: f"{p.name} (id {p.id}, {p.column})" for role, p in octx.plans.items()}
