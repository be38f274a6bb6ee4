"""Per-entity counts for a task's closing log table, and the error-share gate."""

from __future__ import annotations

from dataclasses import dataclass, field

from odoo_sync.errors import ErrorClass, OdooPermanentError
from odoo_sync.sync.writer import EnsureResult


@dataclass
class EntityCounts:
    created: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    errors: int = 0
    seen: int = 0
    waiting: int = 0  # rows still rejected for a reason logged on an earlier run


@dataclass
class Summary:
    """What one step did, by entity type."""

    tenant_id: str
    counts: dict[str, EntityCounts] = field(default_factory=dict)

    def of(self, entity: str) -> EntityCounts:
        return self.counts.setdefault(entity, EntityCounts())

    def add(self, entity: str, result: EnsureResult, kind: str = "created") -> None:
        counts = self.of(entity)
        if kind == "created":
            counts.created += result.created + result.recovered
        elif kind == "updated":
            counts.updated += result.changed
        else:
            counts.removed += result.changed
        counts.skipped += result.skipped
        counts.errors += len(result.errors)

    def table(self) -> str:
        """A fixed-width table for the end of the task log."""
        head = (
            f"{'entity':<16}{'seen':>9}{'created':>9}{'updated':>9}{'removed':>9}{'unchanged':>10}{'errors':>8}"
            f"{'waiting':>9}"
        )
        rows = [
            f"{name:<16}{c.seen:>9}{c.created:>9}{c.updated:>9}{c.removed:>9}{c.skipped:>10}{c.errors:>8}{c.waiting:>9}"
            for name, c in sorted(self.counts.items())
        ]
        return "\n".join([f"sync summary for tenant {self.tenant_id}", head, *rows])

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {name: vars(c).copy() for name, c in self.counts.items()}

    def check_error_share(self, max_share: float, tracked: dict[str, int]) -> None:
        """Fail the task when the rows rejected now exceed the configured share of the tenant's rows.

        Every rejected row is retried on every run, so ``errors + waiting`` is all of them; ``tracked`` holds
        how many rows of each entity the sync knows (a small window must not look like a bad tenant).
        """
        for name, c in self.counts.items():
            rejected, population = c.errors + c.waiting, max(tracked.get(name, 0), c.seen)
            if rejected and population and rejected / population > max_share:
                raise OdooPermanentError(
                    f"tenant {self.tenant_id}: {rejected} of {population} {name} rows are rejected "
                    f"({rejected / population:.1%} > {max_share:.1%}); see sync_log rows with outcome 'error'",
                    error_class=ErrorClass.VALIDATION,
                )
