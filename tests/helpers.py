"""Pure helpers more than one test module uses: what production computes elsewhere (in SQL, in markdown)."""

from __future__ import annotations

import re

from odoo_sync.dashboard.runbook import slug
from odoo_sync.store.health import History, Ping


def summarize(pings: list[Ping]) -> History:
    """A History from pings in any order, as store/health.py's query computes it from the stored pings."""
    ordered = sorted(pings, key=lambda p: p.ts)
    if not ordered:
        return History()
    last_ok = next((p for p in reversed(ordered) if p.ok), None)
    last_bad = next((p for p in reversed(ordered) if not p.ok), None)
    failing = [p for p in ordered if not p.ok and (last_ok is None or p.ts > last_ok.ts)]
    good = [p for p in ordered if p.ok and (last_bad is None or p.ts > last_bad.ts)]
    return History(
        last=ordered[-1],
        last_ok=last_ok,
        failing_since=failing[0].ts if failing else None,
        failures=len(failing),
        ok_since=good[0].ts if good else None,
    )


def anchors(markdown: str) -> set[str]:
    """The heading anchors of a markdown document, as the runbook page gives them."""
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", markdown, re.MULTILINE)}
