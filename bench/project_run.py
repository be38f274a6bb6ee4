"""(a) The project's own sync: the tenant DAG's task functions, in DAG order, with a real Session each."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from bench import source
from bench.instrument import DbWrites, counting_commits, timed_ledger, timed_sync_log
from bench.odoo import CallCounter

STEPS = ("check_odoo", "projects", "budget_categories", "budget_lines", "analytic_lines")


@dataclass
class RunFigures:
    """What one run of the task functions cost."""

    seconds: float
    calls: CallCounter
    step_seconds: dict[str, float] = field(default_factory=dict)
    db: DbWrites = field(default_factory=DbWrites)
    summary: dict[str, Any] = field(default_factory=dict)


def run_tasks(tenant_id: str, run_id: str, params: dict[str, Any] | None = None) -> RunFigures:
    """check_odoo, projects, budget_categories, budget_lines, analytic_lines over the whole source window."""
    from odoo_sync.airflow import tasks
    from odoo_sync.odoo.seams import watched
    from odoo_sync.sync.runtime import Seams

    logging.getLogger("odoo_sync").setLevel(logging.WARNING)
    context: dict[str, Any] = {
        "data_interval_start": source.START,
        "data_interval_end": source.END,
        "run_id": run_id,
        "params": params or {},
    }
    steps: dict[str, float] = {}
    calls, db = CallCounter(), DbWrites()
    seams = Seams(client_factory=watched(calls.watch), sync_log=timed_sync_log(db), ledger=timed_ledger(db))
    started = time.perf_counter()
    with counting_commits(db):
        t = time.perf_counter()
        octx = tasks.check_odoo(tenant_id, context, seams=seams)
        steps["check_odoo"] = time.perf_counter() - t
        summary: dict[str, Any] = {}
        for step in STEPS[1:]:
            t = time.perf_counter()
            summary.update(getattr(tasks, step)(tenant_id, octx, context, seams=seams))
            steps[step] = time.perf_counter() - t
    return RunFigures(time.perf_counter() - started, calls, steps, db, summary)
