"""Changes after the first sync: one budget line's category moved over its 2,000 lines (an incremental run), and
lines revised with values that differ per line (a run over the whole window, the cursor moved back as the
incremental row does, so its time includes reading every line; only the changed ones are written)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg

from bench import source
from bench.project_run import RunFigures, run_tasks

_LATE = source.END - timedelta(days=1)
_MOVE = (
    "UPDATE togrant.budget_lines SET category_code = 'EQP', updated_at = %s"
    " WHERE tenant_id = %s AND project_code = %s AND code = %s"
)
# A different new amount per line (and a new description) for the first lines.
_REVISE = (
    "UPDATE togrant.spending_lines SET amount = to_char(amount::numeric + 0.01 * (1 + substr(id, 4)::int %% 997),"
    " 'FM999990.00'),"
    " description = description || ' (revised)', updated_at = %s"
    " WHERE tenant_id = %s AND substr(id, 4)::int <= %s"
)


def rewind(dsn: str) -> None:
    """Move the durable cursor back to the window's start: the next run reads every line again."""
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE odoo_sync.watermark SET watermark = %s", (source.START,))


def category_move(dsn: str, tenant_id: str, lines: int) -> dict[str, Any]:
    """Move PRJ-0001 / 2.1 from TRV to EQP: Odoo calls of the run that follows, by method.

    No rewind: the run reads the budget line in its lookback, and its lines as the ones whose accounts changed.
    """
    with psycopg.connect(dsn) as conn:
        conn.execute(
            _MOVE, (source.END - timedelta(minutes=10), tenant_id, source.MOVE_PROJECT, source.MOVE_BUDGET_LINE)
        )
    run = run_tasks(tenant_id, "bench__move")
    return {
        **brief(run),
        "lines_moved": min(lines, source.MOVE_LINES),
        "lines_written": run.summary.get("line", {}).get("updated"),
    }


def revise(dsn: str, tenant_id: str, lines: int, cap: int, baseline: RunFigures) -> dict[str, Any]:
    """Revise up to ``cap`` lines with different values each; the time for ``lines`` is extrapolated from them.

    ``baseline`` is a run over the same window with nothing changed: what reading and planning cost.
    """
    count = min(cap, lines)
    with psycopg.connect(dsn) as conn:
        conn.execute(_REVISE, (_LATE, tenant_id, count))
    rewind(dsn)
    run = run_tasks(tenant_id, "bench__revise")
    wanted = min(10_000, lines)
    per_line = max(0.0, run.seconds - baseline.seconds) / max(count, 1)
    return {
        **brief(run),
        "lines_revised": count,
        "lines_wanted": wanted,
        "seconds_measured": run.seconds,
        "seconds": baseline.seconds + per_line * wanted,
        "extrapolated_from_lines": count if count < wanted else None,
    }


def brief(run: RunFigures) -> dict[str, Any]:
    return {
        "seconds": run.seconds,
        "calls": run.calls.total,
        "mutations": run.calls.mutations,
        "lines_seen": run.summary.get("line", {}).get("seen"),
        "calls_by_method": run.calls.by_method,
    }
