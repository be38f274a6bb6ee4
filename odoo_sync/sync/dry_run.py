"""A dry run: the plan of a run, a backfill range or a reconciliation, with no mutating call.

Each batch's plan is collected instead of applied: per entity the creates, writes and removals with their keys,
and for lines the money they would move per project, category and budget line (what finance approves before a
big replay). Nothing is saved: the records, the ledger and the cursor stay as they are, so a dry run can be
repeated and the real run afterwards does exactly what it showed. The task keeps the summary for the health
page (``odoo_sync.store.dry_runs``).

Limitation: lines are planned against the accounts Odoo holds now; a line whose project or budget line would be
created by the same run shows as rejected ("unknown project"), and goes through in the real run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from odoo_sync.sync.breaker import RemovalBreaker, RemovalRefused
from odoo_sync.sync.mapping import project_of
from odoo_sync.sync.planner import Mutation, Plan
from odoo_sync.sync.specs import EntitySpec

KEYS_SHOWN = 20  # per entity and kind in the summary; the counts are complete
KINDS = ("create", "write", "remove")


@dataclass
class EntityPlan:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*KINDS, "rejected", "unchanged"), 0))
    keys: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})


@dataclass
class DryRun:
    """What one task would do, accumulated batch by batch. ``categories``: budget line code -> its category."""

    tenant_id: str
    categories: dict[str, str] = field(default_factory=dict)
    projects: frozenset[str] = frozenset()  # the project codes, to split a budget line's code where codes hold "/"
    entities: dict[str, EntityPlan] = field(default_factory=dict)
    money: dict[str, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))
    refused: dict[str, str] = field(default_factory=dict)  # entity -> what the circuit breaker would refuse

    def breaker(self, spec: EntitySpec, breaker: RemovalBreaker, gone: int, *, count: bool = True) -> None:
        """Run the circuit breaker as the real run would; a refusal is shown, not raised (finance wants to see it).

        The first refusal per entity is kept: the reconciliation asks with the whole count before any batch.
        """
        try:
            if count:
                breaker.check(spec, gone)
            else:
                breaker.allow(spec, gone)
        except RemovalRefused as refusal:
            self.refused.setdefault(spec.entity_type, str(refusal))

    def add(self, spec: EntitySpec, p: Plan) -> None:
        """Count one batch's plan (instead of applying it)."""
        e = self.entities.setdefault(spec.entity_type, EntityPlan())
        for kind, mutations in zip(KINDS, (p.creates, p.writes, p.removals), strict=True):
            e.counts[kind] += len(mutations)
            e.keys[kind].extend(str(m.key) for m in mutations[: max(0, KEYS_SHOWN - len(e.keys[kind]))])
            if spec.entity_type == "line":
                for m in mutations:
                    self._move_money(m)
        e.counts["rejected"] += len(p.rejected)
        e.counts["unchanged"] += p.unchanged

    def _move_money(self, m: Mutation) -> None:
        """Amounts are as Odoo stores them (costs negative): the change each report's total would see."""
        before = m.before if m.before is not None and m.before.present else None
        if before is not None and before.vals is not None:
            self._book(before.parent, -Decimal(str(before.vals.get("amount", 0))))
        if m.vals is not None and m.after.vals is not None:
            self._book(m.after.parent, Decimal(str(m.after.vals.get("amount", 0))))

    def _book(self, budget_line: str | None, amount: Decimal) -> None:
        if not budget_line or not amount:
            return
        project = project_of(budget_line, self.projects)
        for report, code in (
            ("project", project),
            ("category", self.categories.get(budget_line, "?")),
            ("budget_line", budget_line),
        ):
            self.money[report][code] += amount

    def as_dict(self) -> dict[str, Any]:
        """The run artifact (the task's XCom): counts, the first keys, and the money per report."""
        return {
            "tenant_id": self.tenant_id,
            "entities": {name: {"counts": e.counts, "keys": e.keys} for name, e in sorted(self.entities.items())},
            "breaker_refused": dict(sorted(self.refused.items())),
            "money": {
                report: {code: f"{amount:.2f}" for code, amount in sorted(codes.items()) if amount}
                for report, codes in self.money.items()
            },
        }

    def table(self) -> str:
        """A fixed-width table for the task log."""
        lines = [f"DRY RUN for tenant {self.tenant_id}: nothing was sent to Odoo, nothing saved"]
        lines.append(f"{'entity':<16}{'create':>9}{'write':>9}{'remove':>9}{'rejected':>10}{'unchanged':>11}")
        for name, e in sorted(self.entities.items()):
            c = e.counts
            lines.append(
                f"{name:<16}{c['create']:>9}{c['write']:>9}{c['remove']:>9}{c['rejected']:>10}{c['unchanged']:>11}"
            )
        for name, refusal in sorted(self.refused.items()):
            lines.append(f"CIRCUIT BREAKER would refuse the {name} removals below (the real run fails): {refusal}")
        for report, codes in self.money.items():
            moved = [(code, amount) for code, amount in sorted(codes.items()) if amount]
            if moved:
                lines.append(f"money moved per {report.replace('_', ' ')} (Odoo's sign: costs negative):")
                lines.extend(f"  {code:<28}{amount:>16,.2f}" for code, amount in moved)
        for name, e in sorted(self.entities.items()):
            for kind in KINDS:
                if e.keys[kind]:
                    more = e.counts[kind] - len(e.keys[kind])
                    lines.append(f"{name} {kind}: {', '.join(e.keys[kind])}" + (f" (+{more} more)" if more else ""))
        return "\n".join(lines)
