"""A sync worker as a real process, for the crash and concurrency tests.

    python -m tests.reliability.harness --tenant acme [--stop MODEL:BATCH:STEP] [--pause-after-lock]

Runs the tenant's task bodies in DAG order (check_odoo, projects, budget_categories, budget_lines,
analytic_lines) with a manual-run context. ``--stop`` names the BATCH-th ``create`` on MODEL and a STEP of its
write: ``before_call`` (key pending, nothing sent), ``after_answer`` (Odoo answered, ledger not yet committed),
``after_commit`` (ledger committed). There the worker prints ``STOP <step>`` on stdout and waits for a line on
stdin: the test kills it (SIGKILL) or lets it continue. ``--pause-after-lock`` stops the same way once the
worker holds its tenant's advisory lock (the first locked step has opened its session). Prints ``DONE`` at the end.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from odoo_sync.airflow import tasks
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.store.ledger import Ledger
from odoo_sync.sync import runtime

STEPS = ("before_call", "after_answer", "after_commit")


def pause(what: str) -> None:
    print(f"STOP {what}", flush=True)
    sys.stdin.readline()


def install_stop(model: str, batch: int, step: str) -> None:
    """Wrap the hook's create and the ledger's commit so the worker stops at ``step`` of that create."""
    seen = {"n": 0, "armed": False}
    create_many, mark_done = OdooHook.create_many, Ledger.mark_done

    def create_wrapper(self: OdooHook, m: str, vals_list: list[dict[str, Any]], entities: Any) -> list[int]:
        target = False
        if m == model:
            seen["n"] += 1
            target = seen["n"] == batch
        if target and step == "before_call":
            pause(step)
        ids = create_many(self, m, vals_list, entities)
        if target and step == "after_answer":
            pause(step)
        seen["armed"] = target and step == "after_commit"
        return ids

    def mark_done_wrapper(self: Ledger, odoo_ids: Any) -> None:
        mark_done(self, odoo_ids)
        if seen["armed"]:
            seen["armed"] = False
            pause("after_commit")

    OdooHook.create_many = create_wrapper  # type: ignore[method-assign]
    Ledger.mark_done = mark_done_wrapper  # type: ignore[method-assign]


def install_lock_pause() -> None:
    lock = runtime._lock_tenant
    done = {"paused": False}

    def lock_then_pause(conn: Any, tenant_id: str) -> None:
        lock(conn, tenant_id)
        if not done["paused"]:
            done["paused"] = True
            pause("locked")

    runtime._lock_tenant = lock_then_pause


def run_all(tenant: str, run_id: str = "harness", start: datetime | None = None) -> dict[str, Any]:
    """The tenant DAG's task bodies in order, as one worker would run them (a manual run, or a backfill)."""
    now = datetime.now(UTC)
    context: dict[str, Any] = {"run_id": run_id, "logical_date": now, "params": {"full_resync": start is None}}
    if start is not None:  # a backfill run carries its data interval
        context.update(data_interval_start=start, data_interval_end=now, dag_run=SimpleNamespace(run_type="backfill"))
    octx = tasks.check_odoo(tenant, context)
    out = {}
    for step in (tasks.projects, tasks.budget_categories, tasks.budget_lines, tasks.analytic_lines):
        out[step.__name__] = step(tenant, octx, context)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--stop", help="MODEL:BATCH:STEP")
    parser.add_argument("--pause-after-lock", action="store_true")
    parser.add_argument("--run-id", default="harness")
    parser.add_argument("--backfill-from", help="ISO timestamp: run as a backfill from there to now")
    args = parser.parse_args(argv)
    if args.stop:
        model, batch, step = args.stop.rsplit(":", 2)
        install_stop(model, int(batch), step)
    if args.pause_after_lock:
        install_lock_pause()
    start = datetime.fromisoformat(args.backfill_from) if args.backfill_from else None
    run_all(args.tenant, args.run_id, start)
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
