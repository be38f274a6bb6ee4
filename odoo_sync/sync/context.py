"""What check_odoo learns about a tenant's Odoo, typed, and its JSON form for the XCom between tasks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# One vocabulary: a plan role is named after the source entity whose accounts fill the plan.
PLAN_ROLES = ("project", "category", "budget_line")


@dataclass(frozen=True, slots=True)
class PlanRef:
    """A root analytic plan and the column it fills on analytic lines (``account_id`` or ``x_plan<ID>_id``)."""

    id: int
    name: str
    column: str


@dataclass(frozen=True, slots=True)
class OdooContext:
    """A tenant's Odoo as resolved at run time: version, user, plans, project link, company and currency."""

    server_version: str
    uid: int
    plans: dict[str, PlanRef]
    project_link_field: str
    company_id: int
    currency: str
    currency_decimals: int = 2
    currency_rounding: float | None = None  # the currency's rounding factor (0.01, 0.05, ...); None: 10**-decimals
    rate_company_id: int = 0  # whose rates convert other currencies: the company's root (Odoo's rule for branches)
    odoo_identity: str = ""
    api: str = ""  # "xmlrpc" or "json2": what ``api: auto`` settled on, so later tasks skip the probe

    def plan(self, role: str) -> PlanRef:
        return self.plans[role]

    def to_xcom(self) -> dict[str, Any]:
        """A plain dict (XComs are JSON)."""
        return asdict(self)

    @classmethod
    def from_xcom(cls, data: dict[str, Any] | OdooContext) -> OdooContext:
        if isinstance(data, OdooContext):
            return data
        plans = {role: PlanRef(**plan) for role, plan in data["plans"].items()}
        return cls(**{**data, "plans": plans})
