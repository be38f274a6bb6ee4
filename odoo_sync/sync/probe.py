"""The per-run check that Odoo and the records agree about our lines: two reads, whatever the tenant's size.

Odoo's side: how many lines carry our marker and the sum of their amounts (one grouped read), and the highest
id among them (one search). The records' side: the same three figures of the lines they say are present. Any
difference means the records are not what Odoo holds: our database was lost or restored from a backup, the
tenant's Odoo was restored from one, or finance deleted or re-keyed one of our lines by hand. The run then
rebuilds the records from Odoo (``odoo_sync.sync.rebuild``). A change that keeps all three figures (a
description edited by hand, an Odoo restored to a point where only texts differed) is found by the daily
reconciliation, which reads every line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.models import LINE
from odoo_sync.store.rebuild import Footprint

GROUPED_FROM = 19  # Odoo 19 answers formatted_read_group (read_group is deprecated there)
CENT = Decimal("0.01")  # sums are compared to the cent (Odoo's grouped sum of a 3-decimal currency may round)


@dataclass(frozen=True, slots=True)
class OdooFootprint:
    count: int
    max_id: int | None
    amount: Decimal


def our_lines(tenant_id: str) -> list[Any]:
    """The domain of the lines this tenant's sync created: their ``ref`` starts with ``<tenant>:line:``."""
    prefix = f"{tenant_id}:line:".replace("\\", "\\\\")
    return [("ref", "=like", prefix.replace("%", "\\%").replace("_", "\\_") + "%")]


def odoo_footprint(hook: OdooHook, tenant_id: str, major: int) -> OdooFootprint:
    """Count, sum of amounts and highest id of our lines in Odoo (two calls)."""
    domain = our_lines(tenant_id)
    if major >= GROUPED_FROM:
        rows = hook.execute(LINE, "formatted_read_group", [domain, [], ["__count", "amount:sum"]])
        count, amount = (rows[0].get("__count"), rows[0].get("amount:sum")) if rows else (0, 0)
    else:
        rows = hook.read_group(LINE, domain, ["amount:sum"], [])
        count, amount = (rows[0].get("__count"), rows[0].get("amount")) if rows else (0, 0)
    top = hook.execute(LINE, "search", [domain], {"limit": 1, "order": "id desc"})
    return OdooFootprint(int(count or 0), int(top[0]) if top else None, Decimal(str(amount or 0)))


def disagreement(odoo: OdooFootprint, records: Footprint) -> str | None:
    """Why Odoo and the records disagree about our lines (None: they agree)."""
    if odoo.count != records.count:
        return f"Odoo holds {odoo.count:,} of our lines, the records {records.count:,}"
    if odoo.max_id != records.max_id:
        return f"the highest id of our lines is {odoo.max_id} in Odoo, {records.max_id} in the records"
    if records.amount is not None and abs(odoo.amount - records.amount) >= CENT:
        return f"our lines add up to {odoo.amount:,.2f} in Odoo, {records.amount:,.2f} in the records"
    return None
