"""Pure mapping from source rows to Odoo values: validation, keys, signs. No I/O here."""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from odoo_sync.keys import IdempotencyKey, InvalidKeyError
from odoo_sync.sync.money import monetary
from odoo_sync.sync.rates import RateBook, normalise

# XML 1.0 (and so XML-RPC) cannot carry these; tab, newline and carriage return are fine.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
MAX_AMOUNT = Decimal("1e12")


class RowError(ValueError):
    """One source row cannot be synced; names tenant, entity, id and field."""

    def __init__(self, tenant_id: str, entity_type: str, entity_id: str, field: str, problem: str) -> None:
        super().__init__(f"tenant {tenant_id}: {entity_type} {entity_id!r}: field {field}: {problem}")
        self.tenant_id, self.entity_type, self.entity_id, self.field = tenant_id, entity_type, entity_id, field


@dataclass(frozen=True, slots=True)
class LineTargets:
    """Where a tenant's lines go in Odoo: plan columns and the accounts each code resolves to."""

    tenant_id: str
    currency: str
    project_column: str
    category_column: str
    budget_line_column: str
    project_accounts: dict[str, int]  # project code -> project-plan account id
    category_accounts: dict[str, int]  # category code -> category-plan account id
    budget_line_accounts: dict[str, tuple[int, str]]  # "PRJ-001/1.1.1.a" -> (budget-line-plan account, category)
    max_description_chars: int = 2000
    decimals: int = 2  # the company currency's decimal places (what Odoo writes)
    rounding: Decimal | None = None  # its rounding factor (0.05: amounts are multiples of it); None: 10**-decimals
    rates: RateBook | None = None  # None: spending in another currency is rejected, not converted
    company_id: int | None = None  # set: lines carry it (a tenant pinned to one company of a multi-company Odoo)

    def accounts_of(self, budget_line: str) -> dict[str, int] | None:
        """The three plan columns a line of this budget line carries (None if any account is missing)."""
        project = project_of(budget_line, self.project_accounts)
        line = self.budget_line_accounts.get(budget_line)
        if line is None or project not in self.project_accounts or line[1] not in self.category_accounts:
            return None
        return {
            self.project_column: self.project_accounts[project],
            self.category_column: self.category_accounts[line[1]],
            self.budget_line_column: line[0],
        }


def detail_id(project_code: str, budget_line_code: str) -> str:
    """Budget lines belong to a project's budget: the same code in two projects is two accounts."""
    return f"{project_code}/{budget_line_code}"


def project_of(detail: str, projects: Container[str]) -> str:
    """The project part of a budget line's ``detail_id``: a project code may hold "/" itself (``2026/01``).

    The longest known project code followed by "/" wins; none known: the part before the first "/".
    """
    cut = len(detail)
    while (cut := detail.rfind("/", 0, cut)) > 0:
        if detail[:cut] in projects:
            return detail[:cut]
    return detail.partition("/")[0]


def key(tenant_id: str, entity_type: str, entity_id: Any, operation: str) -> IdempotencyKey:
    """Build a key, reporting a bad id as a row error on the id field."""
    try:
        return IdempotencyKey(tenant_id, entity_type, str(entity_id), operation)
    except InvalidKeyError as exc:
        raise RowError(tenant_id, entity_type, str(entity_id), "id", str(exc)) from None


def line_vals(row: dict[str, Any], t: LineTargets) -> dict[str, Any]:
    """Validate one spending line and map it to account.analytic.line values (costs are negative).

    The marker (``ref``, the line's create key) is added by the planner: it depends on the key's generation.
    """
    line_id = str(row.get("id"))

    def bad(field: str, problem: str) -> RowError:
        return RowError(t.tenant_id, "line", line_id, field, problem)

    project = t.project_accounts.get(str(row.get("project_code")))
    if project is None:
        raise bad("project_code", f"unknown project {row.get('project_code')!r}")
    detail = t.budget_line_accounts.get(detail_id(str(row.get("project_code")), str(row.get("budget_line_code"))))
    if detail is None:
        raise bad(
            "budget_line_code", f"unknown budget line {row.get('budget_line_code')!r} in {row.get('project_code')}"
        )
    category = t.category_accounts.get(detail[1])
    if category is None:
        raise bad("budget_line_code", f"its category {detail[1]!r} is not synced")
    currency = normalise(row.get("currency"))
    if currency != t.currency.upper() and t.rates is None:
        raise bad("currency", f"{row.get('currency')!r} does not match the Odoo company currency {t.currency}")
    name = _description(row.get("description"), t.max_description_chars, bad)
    day = _date(row.get("date"), bad)
    amount = _amount(row.get("amount"), bad)
    if currency != t.currency.upper():
        name = f"{name} [{amount} {currency}]"  # the original stays visible to finance on the line
        amount = _converted(amount, currency, day, row.get("currency"), t, bad)
    vals = {
        "name": name,
        "date": day,
        "amount": -float(monetary(amount, t.decimals, t.rounding)),  # what Odoo stores, so records match it
        t.project_column: project,
        t.category_column: category,
        t.budget_line_column: detail[0],
    }
    if t.company_id is not None:
        vals["company_id"] = t.company_id
    return vals


def _converted(amount: Decimal, currency: str, day: str, given: Any, t: LineTargets, bad: Any) -> Decimal:
    """``amount`` in the company currency at Odoo's rate of ``day``, or a row error saying what is missing."""
    assert t.rates is not None
    if not currency:
        raise bad("currency", "is missing")
    if not t.rates.knows(currency):
        raise bad("currency", f"{_short(given)} is not a currency Odoo knows (res.currency)")
    converted = t.rates.convert(currency, day, amount)
    if converted is None:
        raise bad(
            "currency",
            f"Odoo has no {currency} rate dated on or before {day} for the company (Accounting > Configuration > "
            f"Currencies); the line is retried on every run until the rate exists",
        )
    return converted


def _amount(value: Any, bad: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise bad("amount", f"{_short(value)} is not a number") from None
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise bad("amount", f"{_short(value)} is not a finite amount below {MAX_AMOUNT:,.0f}")
    return amount


def _date(value: Any, bad: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise bad("date", f"{_short(value)} is not a date (YYYY-MM-DD)") from None
    if not isinstance(value, date):
        raise bad("date", "is missing")
    if not 1970 <= value.year <= 2199:
        raise bad("date", f"{value.isoformat()} is outside 1970-2199")
    return value.isoformat()


def _description(value: Any, limit: int, bad: Any) -> str:
    text = str(value or "").strip()
    if not text:
        raise bad("description", "is empty (Odoo requires a label)")
    if len(text) > limit:
        raise bad("description", f"is {len(text):,} characters; the limit is {limit:,}")
    if _CONTROL.search(text):
        raise bad("description", "contains control characters XML-RPC cannot carry")
    return text


def account_vals(
    code: str, name: str, plan_id: int, active: bool = True, company_id: int | None = None
) -> dict[str, Any]:
    """An analytic account in a plan; ``code`` is what finance sees and the crash-recovery marker.

    ``company_id`` pins it to the tenant's company; without it Odoo's default (the user's company) applies.
    """
    vals: dict[str, Any] = {"name": name, "code": code, "plan_id": plan_id, "active": active}
    if company_id is not None:
        vals["company_id"] = company_id
    return vals


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
