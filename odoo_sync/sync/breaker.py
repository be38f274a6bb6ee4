"""The circuit breaker: a broken source view must never empty finance's analytics in one run."""

from __future__ import annotations

from dataclasses import dataclass, field

from odoo_sync.errors import ErrorClass, OdooPermanentError
from odoo_sync.store.records import PRESENT, RecordStore
from odoo_sync.sync.specs import EntitySpec


class RemovalRefused(OdooPermanentError):
    """A run would remove more of a tenant's records (gone from the source) than it is allowed to."""

    error_class = ErrorClass.VALIDATION


@dataclass
class RemovalBreaker:
    """Counts removals caused by rows gone from the source, per entity, against the records present."""

    records: RecordStore
    max_share: float
    floor: int
    confirmed: bool = False
    removed: dict[str, int] = field(default_factory=dict)
    _present: dict[str, int] = field(default_factory=dict)

    def check(self, spec: EntitySpec, gone: int) -> None:
        """Count ``gone`` more removals of ``spec`` in this run, or refuse before any of them is made."""
        self.allow(spec, gone)
        self.removed[spec.entity_type] = self.removed.get(spec.entity_type, 0) + gone

    def allow(self, spec: EntitySpec, gone: int) -> None:
        """Refuse if ``gone`` more removals would pass the limit (counts nothing)."""
        if not gone:
            return
        present = self._present.setdefault(spec.entity_type, self.records.count(spec.entity_type, PRESENT))
        total = self.removed.get(spec.entity_type, 0) + gone
        allowed = max(self.floor, int(self.max_share * present))
        if total > allowed and not self.confirmed:
            raise RemovalRefused(
                f"tenant {self.records.tenant_id}: this run would remove {total:,} of {present:,} {spec.entity_type} "
                f"records from Odoo because their rows are gone from the source; the limit is {allowed:,} "
                f"(max_removal_share {self.max_share:.0%}, min_guarded_removals {self.floor}). Nothing was removed. "
                f"If the source really dropped them, trigger the DAG with confirm_removals: true; otherwise fix "
                f"the source view first."
            )
