"""What Odoo holds, read only: per-plan totals of our lines, and whether the records we wrote still exist."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from odoo_sync.drift.report import MissingRecord, Totals, account_problem, add_amount
from odoo_sync.odoo import guard
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.models import LINE
from odoo_sync.sync.context import PlanRef
from odoo_sync.sync.specs import ANY_ACTIVE

CHUNK_IDS = 5000
GROUPED_FROM = 19  # Odoo 19 deprecates read_group for formatted_read_group


def read_only(hook: OdooHook) -> OdooHook:
    """The same hook, refusing every method that is not a read before anything is sent."""
    inner: Callable[..., Any] = hook.execute

    def execute(model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        if method not in guard.READ_METHODS:
            raise guard.WriteRefused(f"the drift check only reads: {model}.{method} refused")
        return inner(model, method, *args, **kwargs)

    setattr(hook, "execute", execute)  # noqa: B010 - an instance attribute, seen by the hook's own helpers
    return hook


def our_lines(tenant_id: str) -> list[Any]:
    """The domain of the lines this tenant's sync created: their ``ref`` starts with ``<tenant>:line:``."""
    prefix = f"{tenant_id}:line:".replace("\\", "\\\\")
    return [("ref", "=like", prefix.replace("%", "\\%").replace("_", "\\_") + "%")]


def plan_totals(hook: OdooHook, tenant_id: str, plans: dict[str, PlanRef], major: int) -> Totals:
    """Sum of our lines' amounts per account of each plan, as Odoo's own grouping computes it."""
    totals: Totals = {}
    for role, plan in plans.items():
        for account, amount in _grouped_sums(hook, our_lines(tenant_id), plan.column, major):
            add_amount(totals, role, account, amount)
    return totals


def _grouped_sums(hook: OdooHook, domain: list[Any], column: str, major: int) -> list[tuple[Any, Any]]:
    """(account id, sum of amount) per value of ``column``."""
    if major >= GROUPED_FROM:
        rows = hook.execute(LINE, "formatted_read_group", [domain, [column], ["amount:sum"]])
        return [(_group_id(r.get(column)), r.get("amount:sum") or 0) for r in rows]
    rows = hook.read_group(LINE, domain, ["amount:sum"], [column])
    return [(_group_id(r.get(column)), r.get("amount") or 0) for r in rows]


def _group_id(value: Any) -> int | None:
    """A many2one group value: ``[id, name]`` (or a tuple), a bare id, or False for lines without one."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return int(value) if value not in (None, False) else None


def existing(hook: OdooHook, model: str, ids: Sequence[int], has_active: bool) -> dict[int, bool]:
    """Which of ``ids`` Odoo still has, with their ``active`` flag (archived ones included)."""
    found: dict[int, bool] = {}
    for chunk in _chunks(list(ids)):
        if has_active:
            rows = hook.search_read(model, [("id", "in", chunk), ANY_ACTIVE], ["active"])
            found.update({int(r["id"]): bool(r["active"]) for r in rows})
        else:
            found.update({int(i): True for i in hook.execute(model, "search", [[("id", "in", chunk)]])})
    return found


def missing_records(
    hook: OdooHook, entity_type: str, model: str, records: Sequence[tuple[str, int, bool]], has_active: bool
) -> list[MissingRecord]:
    """Records (entity id, Odoo id, expected active) that Odoo deleted, archived or restored by hand."""
    found = existing(hook, model, [r[1] for r in records], has_active)
    out = []
    for entity_id, odoo_id, active in records:
        problem = account_problem(active, found.get(odoo_id))
        if problem is not None and (has_active or problem == "deleted"):
            out.append(MissingRecord(entity_type, entity_id, model, odoo_id, problem))
    return out


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK_IDS):
        yield ids[start : start + CHUNK_IDS]
