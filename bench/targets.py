"""The issue's targets, checked against the figures: one line each, PASS or FAIL with the margin."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

REFERENCE_LINES = 10_000  # the size the naive/project and revised-lines targets are set at
AB_LINES = (10_000, 50_000)  # the sizes the a/b target is set at


@dataclass(frozen=True, slots=True)
class Check:
    target: str
    scope: str
    value: float
    limit: float
    higher_is_better: bool = False

    @property
    def passed(self) -> bool:
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit

    def line(self) -> str:
        sign = ">=" if self.higher_is_better else "<="
        verdict = "PASS" if self.passed else f"FAIL (off by {abs(self.value - self.limit):.2f})"
        return f"  {verdict:<22} {self.target:<34} {self.scope:<26} {self.value:>9.2f} (target {sign} {self.limit:g})"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def sync_checks(profile: str, sizes: list[dict[str, Any]]) -> list[Check]:
    """Issue 11 and 20's targets (a/b at 10,000 and 50,000 lines, naive/project at 10,000, a category move, revised
    lines, nothing-changed runs) and the earlier call-count ones."""
    checks = []
    for s in sizes:
        n, scope = s["lines"], f"{profile}, {s['lines']:,} lines"
        a, b, c, r = s["project"], s["limit"], s["naive"], s["replay"]
        if n in AB_LINES:
            checks.append(Check("a/b (project / limit) time", scope, a["seconds"] / b["seconds"], 1.10))
        checks.append(Check("calls per 500 new lines", scope, a["calls"] / (n / 500), 3))
        if n == REFERENCE_LINES:
            checks.append(Check("c/a (naive / project) time", scope, c["seconds"] / a["seconds"], 40, True))
        checks.append(Check("replay mutations", scope, r["mutations"], 0))
        checks.append(Check("replay calls per 500 lines", scope, r["calls"] / (n / 500), 1))
        for name in ("incremental", "reconcile"):
            if name in s:
                checks.append(Check(f"{name} (nothing changed) mutations", scope, s[name]["mutations"], 0))
        checks += _change_checks(s, scope)
    return checks


def _change_checks(s: dict[str, Any], scope: str) -> list[Check]:
    checks = []
    move = s.get("category_move")
    if move and move["lines_moved"] >= 2000:
        checks.append(Check("category move: mutating calls", scope, move["mutations"], 3))
    revised = s.get("revised")
    if revised and revised["lines_wanted"] >= REFERENCE_LINES:
        create_s = s["project"]["seconds"] * revised["lines_wanted"] / s["lines"]  # creating as many lines
        checks.append(Check("revised lines / creating them (time)", scope, revised["seconds"] / create_s, 1.5))
    return checks


def other_checks(
    parse: list[dict[str, Any]], health: dict[str, Any] | None, memory: dict[str, Any] | None
) -> list[Check]:
    checks = [
        Check("DAG folder parse time (s)", f"{p['tenants']} tenants", p["dagbag_s"], 2)
        for p in parse
        if p["tenants"] == 200
    ]
    if health:
        checks.append(Check("health run wall time (s)", f"{health['tenants']} tenants", health["seconds"], 60))
    if memory:
        checks.append(Check("peak RSS syncing (MB)", f"{memory['lines']:,} lines", memory["peak_rss_mb"], 300))
        if memory.get("a_b") is not None:
            checks.append(Check("a/b (project / limit) time", f"real, {memory['lines']:,} lines", memory["a_b"], 1.10))
        for run in memory.get("reconcile", []):
            scope = f"{memory['lines']:,} lines, {run['changed']:,} changed"
            checks.append(Check("peak RSS reconciling (MB)", scope, run["peak_rss_mb"], 300))
            if run["changed"] == 0:  # it reads Odoo (a reconciliation rebuilds the records from it), writes nothing
                checks.append(Check("reconciliation mutations, nothing changed", scope, run["mutations"], 0))
    return checks
