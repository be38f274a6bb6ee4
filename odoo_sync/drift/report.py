"""What a drift check finds, and how per-plan totals are compared (pure: no I/O here).

Three totals per plan account: what the source says now (``source``), what the sync last wrote (``synced``, from
the record store) and what Odoo holds (``odoo``). Odoo differing from what the sync wrote is **drift**: someone
changed Odoo by hand. Odoo agreeing with the sync but not with the source is **pending**: the next sync run
writes it (lines waiting, rejected rows), nobody needs to act.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from odoo_sync.sync.money import monetary

CLEAN, PENDING, DRIFT, ERROR = "clean", "pending", "drift", "error"
HAND, WAITING = "hand", "pending"
MAX_FINDINGS = 200  # kept per check: enough to act on, bounded for a tenant whose Odoo was rebuilt by hand

AccountKey = tuple[str, int]  # (plan role, Odoo analytic account id)
Totals = dict[AccountKey, Decimal]


@dataclass(frozen=True, slots=True)
class TotalDiff:
    """One plan account whose total in Odoo is not the source's."""

    role: str
    account_id: int
    code: str
    source: Decimal
    synced: Decimal
    odoo: Decimal
    cause: str  # HAND: Odoo differs from what the sync wrote; WAITING: the sync has yet to write it

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "source": str(self.source), "synced": str(self.synced), "odoo": str(self.odoo)}


@dataclass(frozen=True, slots=True)
class MissingRecord:
    """A record the sync wrote that Odoo no longer has as written: deleted, archived or restored by hand."""

    entity_type: str
    entity_id: str
    odoo_model: str
    odoo_id: int
    problem: str  # "deleted", "archived", "unarchived"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DriftReport:
    """One tenant's check."""

    tenant_id: str
    totals: list[TotalDiff] = field(default_factory=list)
    missing: list[MissingRecord] = field(default_factory=list)
    accounts: int = 0
    lines_waiting: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # plan role -> its column on analytic lines

    @property
    def hand_totals(self) -> list[TotalDiff]:
        return [t for t in self.totals if t.cause == HAND]

    @property
    def state(self) -> str:
        if self.hand_totals or self.missing:
            return DRIFT
        return PENDING if self.totals or self.lines_waiting else CLEAN

    def summary(self) -> str:
        """One line for logs, sync_log and mail subjects."""
        parts = []
        if hand := self.hand_totals:
            parts.append(f"{len(hand)} plan total(s) changed in Odoo by hand")
        for problem in ("deleted", "archived", "unarchived"):
            n = sum(m.problem == problem for m in self.missing)
            if n:
                parts.append(f"{n} record(s) {problem} in Odoo")
        waiting = len(self.totals) - len(self.hand_totals)
        if waiting or self.lines_waiting:
            parts.append(f"{waiting} total(s) and {self.lines_waiting or 0} line(s) waiting for the next sync")
        return "; ".join(parts) or f"no drift ({self.accounts} plan accounts compared)"

    def findings(self) -> dict[str, Any]:
        """The differences as JSON (capped at MAX_FINDINGS each; the counts are exact)."""
        return {
            "totals": [t.as_json() for t in _worst_first(self.totals)[:MAX_FINDINGS]],
            "missing": [m.as_json() for m in self.missing[:MAX_FINDINGS]],
            "summary": self.summary(),
            "columns": self.columns,
        }


def compare_totals(
    source: Mapping[AccountKey, Decimal],
    synced: Mapping[AccountKey, Decimal],
    odoo: Mapping[AccountKey, Decimal],
    codes: Mapping[AccountKey, str],
    decimals: int = 2,
    rounding: Any = None,
) -> list[TotalDiff]:
    """Every plan account whose Odoo total differs from the source's, with the cause.

    Each total is rounded as Odoo rounds the currency's amounts (its ``rounding`` factor, then ``decimals``
    places): the sync writes amounts rounded so, and Odoo holds nothing finer.
    """
    diffs = []
    for k in sorted(set(source) | set(synced) | set(odoo)):
        s, r, o = (monetary(m.get(k, Decimal(0)), decimals, rounding) for m in (source, synced, odoo))
        if o == s:
            continue
        cause = HAND if o != r else WAITING
        diffs.append(TotalDiff(k[0], k[1], codes.get(k, f"#{k[1]}"), s, r, o, cause))
    return diffs


def add_amount(totals: Totals, role: str, account: Any, amount: Any) -> None:
    """Add a line's amount to its account's total in one plan (no account: nothing to add)."""
    if account in (None, False):
        return
    k = (role, int(account))
    totals[k] = totals.get(k, Decimal(0)) + Decimal(str(amount))


def account_problem(expected_active: bool, odoo_active: bool | None) -> str | None:
    """How an Odoo record differs from what the sync wrote (None: not at all; odoo_active None: gone)."""
    if odoo_active is None:
        return "deleted"
    if expected_active and not odoo_active:
        return "archived"
    if odoo_active and not expected_active:
        return "unarchived"
    return None


def _worst_first(diffs: Iterable[TotalDiff]) -> list[TotalDiff]:
    return sorted(diffs, key=lambda d: (d.cause != HAND, -abs(d.odoo - d.source)))
