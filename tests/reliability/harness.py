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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import psycopg

from odoo_sync.airflow import tasks
from odoo_sync.odoo.seams import watched
from odoo_sync.store.ledger import Ledger
from odoo_sync.store.locks import lock_tenant
from odoo_sync.sync.runtime import Seams

STEPS = ("before_call", "after_answer", "after_commit")


def pause(what: str) -> None:
    print(f"STOP {what}", flush=True)
    sys.stdin.readline()


@dataclass
class Stop:
    """Stop the worker at ``step`` of the ``batch``-th create on ``model``: watches the Odoo client's calls and
    the ledger's ``mark_done`` through the session's seams (``Stop.seams()``)."""

    model: str
    batch: int
    step: str
    seen: int = 0
    armed: bool = False  # the target create was answered: pause once its keys are committed done

    @contextmanager
    def watch(self, call: str) -> Iterator[None]:
        target = False
        if call == f"{self.model}.create":
            self.seen += 1
            target = self.seen == self.batch
        if target and self.step == "before_call":
            pause(self.step)
        yield
        if target and self.step == "after_answer":
            pause(self.step)
        if target:
            self.armed = self.step == "after_commit"

    def ledger(self, conn: psycopg.Connection) -> Ledger:
        return StoppingLedger(conn, self)

    def seams(self, seams: Seams) -> Seams:
        return replace(seams, client_factory=watched(self.watch), ledger=self.ledger)


class StoppingLedger(Ledger):
    """The real ledger; after the target create's keys are committed done, the worker stops."""

    def __init__(self, conn: psycopg.Connection, stop: Stop) -> None:
        super().__init__(conn)
        self.stop = stop

    def mark_done(self, odoo_ids: Mapping[str, int]) -> None:
        super().mark_done(odoo_ids)
        if self.stop.armed:
            self.stop.armed = False
            pause("after_commit")


def pause_after_lock(seams: Seams) -> Seams:
    """Stop once the first locked step holds its tenant's advisory lock (the session's ``lock_tenant`` seam)."""
    done = {"paused": False}

    def lock_then_pause(conn: psycopg.Connection, tenant_id: str) -> None:
        lock_tenant(conn, tenant_id)
        if not done["paused"]:
            done["paused"] = True
            pause("locked")

    return replace(seams, lock_tenant=lock_then_pause)


def run_all(
    tenant: str, run_id: str = "harness", start: datetime | None = None, seams: Seams | None = None
) -> dict[str, Any]:
    """The tenant DAG's task bodies in order, as one worker would run them (a manual run, or a backfill)."""
    seams = seams or Seams()
    now = datetime.now(UTC)
    context: dict[str, Any] = {"run_id": run_id, "logical_date": now, "params": {"full_resync": start is None}}
    if start is not None:  # a backfill run carries its data interval
        context.update(data_interval_start=start, data_interval_end=now, dag_run=SimpleNamespace(run_type="backfill"))
    octx = tasks.check_odoo(tenant, context, seams=seams)
    out = {}
    for step in (tasks.projects, tasks.budget_categories, tasks.budget_lines, tasks.analytic_lines):
        out[step.__name__] = step(tenant, octx, context, seams=seams)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--stop", help="MODEL:BATCH:STEP")
    parser.add_argument("--pause-after-lock", action="store_true")
    parser.add_argument("--run-id", default="harness")
    parser.add_argument("--backfill-from", help="ISO timestamp: run as a backfill from there to now")
    args = parser.parse_args(argv)
    seams = Seams()
    if args.stop:
        model, batch, step = args.stop.rsplit(":", 2)
        seams = Stop(model, int(batch), step).seams(seams)
    if args.pause_after_lock:
        seams = pause_after_lock(seams)
    start = datetime.fromisoformat(args.backfill_from) if args.backfill_from else None
    run_all(args.tenant, args.run_id, start, seams)
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
