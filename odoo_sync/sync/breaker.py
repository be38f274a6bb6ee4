"""The circuit breaker: a broken source view must never empty finance's analytics in one run."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from odoo_sync.errors import ErrorClass, OdooPermanentError
from odoo_sync.store.records import PRESENT, RecordStore
from odoo_sync.sync.specs import EntitySpec


class RemovalRefused(OdooPermanentError):
    """A run would remove more of a tenant's records (voided, deleted, archived) than it is allowed to."""

    error_class = ErrorClass.VALIDATION


def allowed_removals(present: int, share: float) -> int:
    """How many of ``present`` records one run may remove: the share, rounded up (pure)."""
    if share >= 1:
        return present
    return max(0, min(math.ceil(share * present - 1e-9), present - 1))  # 25% of 20 is 5; never the last one


@dataclass
class RemovalBreaker:
    """Counts every removal per entity (voids, deletes, archives) against the records present.

    The limit is the share of the records present, rounded up, and never all of them (a 3-line tenant may lose
    1 line in a run, a 20-line one 5) unless the share is 100%. There is no floor any more: one above the share
    (``min_guarded_removals``, 20) let a tenant of up to 20 lines lose everything in one run.
    """

    records: RecordStore
    max_share: float
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
        allowed = allowed_removals(present, self.max_share)
        if total > allowed and not self.confirmed:
            raise RemovalRefused(
                f"tenant {self.records.tenant_id}: this run would remove {total:,} of {present:,} {spec.entity_type} "
                f"records from Odoo (voided or gone from the source); the limit is {allowed:,} "
                f"(max_removal_share {self.max_share:.0%} of the records present). Nothing was removed. "
                f"If the source really dropped them, trigger the DAG with confirm_removals: true; otherwise fix "
                f"the source view first."
            )
