"""The worker is killed (SIGKILL, a real process) at each step of a write; the re-run leaves 0 duplicates, 0 lost.

The test Odoo runs in the test process, so it outlives the killed worker; PostgreSQL drops the dead worker's
session, and with it the tenant's advisory lock. Every case runs over XML-RPC; over JSON-2 (``api: json2`` with an
API key, read by the worker from the same Airflow connection) each step runs once, each on another model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.reliability import figures, harness
from tests.reliability.checks import ACCOUNT, LINE, PROJECT, audit, forbidden_calls, records_of
from tests.reliability.conftest import N_LINES
from tests.reliability.worker import Worker

pytestmark = [pytest.mark.reliability, pytest.mark.integration]
LINE_IDS = [f"SL-{i:05d}" for i in range(1, N_LINES + 1)]
# (model, which create call of that model): the first account batch (project accounts), the projects, and the
# third batch of 500 lines.
TARGETS = [(ACCOUNT, 1, 2), (PROJECT, 1, 2), (LINE, 3, 500)]


def ledger_states(db: psycopg.Connection, model: str) -> dict[str, int]:
    rows = db.execute(
        "SELECT state, count(*) FROM odoo_sync.ledger WHERE odoo_model = %s AND operation = 'create' GROUP BY state",
        (model,),
    ).fetchall()
    db.commit()
    return dict(rows)


def ledger_states_once_booked(db: psycopg.Connection, model: str, pending: int) -> dict[str, int]:
    """The ledger once the worker has booked the next batch, which it does while a call is on the wire (at most
    10 s: when the read-ahead has not planned it yet, it is booked later)."""
    deadline = time.monotonic() + 10
    states = ledger_states(db, model)
    while states.get("pending", 0) < pending and time.monotonic() < deadline:
        time.sleep(0.05)
        states = ledger_states(db, model)
    return states


def cases() -> list[Any]:
    """Every step of every target over XML-RPC; over JSON-2 each step once, on a different model (suite time)."""
    names = dict(zip(TARGETS, ("accounts", "projects", "lines"), strict=True))
    over_xmlrpc = [("xmlrpc", target, step) for target in TARGETS for step in harness.STEPS]
    over_json2 = [("json2", TARGETS[0], "before_call"), ("json2", TARGETS[2], "after_answer")]
    over_json2.append(("json2", TARGETS[1], "after_commit"))
    return [
        pytest.param(transport, *target, step, id=f"{transport}-{names[target]}-{step}")
        for transport, target, step in over_xmlrpc + over_json2
    ]


@pytest.mark.parametrize(("transport", "model", "batch", "size", "step"), cases())
def test_kill_at_each_step_of_a_write_then_rerun(
    model: str,
    batch: int,
    size: int,
    step: str,
    transport: str,
    source: psycopg.Connection,
    odoo_for: Callable[..., FakeOdoo],
) -> None:
    odoo = odoo_for("acme", transport=transport)
    before = len(odoo.records(model))
    worker = Worker("--tenant", "acme", "--stop", f"{model}:{batch}:{step}")
    assert worker.expect("STOP") == f"STOP {step}"
    already = (batch - 1) * size  # earlier batches of the same model are done
    ahead = min(size, N_LINES - batch * size) if model == LINE else 0  # the next batch, booked during this call
    ledger_states_once_booked(source, model, size + ahead if step != "after_commit" else ahead)
    worker.kill()
    figures.add("crashes", kind=step)

    landed = len(odoo.records(model)) - before
    states = ledger_states(source, model)
    # The next batch is booked while this call is on the wire once the read-ahead thread has planned it; on a
    # loaded machine it may not have yet: booked or not, what the re-run must do is the same.
    pending = states.get("pending", 0)
    if step == "before_call":  # intent recorded, nothing sent
        assert landed == already and pending in (size, size + ahead)
    elif step == "after_answer":  # Odoo committed, the ledger still says pending
        assert landed == already + size and pending in (size, size + ahead)
    else:  # batch k is settled while batch k+1 is on the wire: k+1 may have landed already, still pending
        assert states.get("done") == already + size and pending in (0, ahead)
        assert landed in (already + size, already + size + pending)

    harness.run_all("acme", "rerun")
    figures.add("task_runs")
    audit(records_of(odoo), source, "acme", LINE_IDS).assert_clean()
    assert ledger_states(source, LINE) == {"done": N_LINES}
    assert forbidden_calls(odoo.calls) == []
    if transport == "json2":  # the worker and the re-run spoke JSON-2 only, never the deprecated XML-RPC
        assert {c.service for c in odoo.calls} == {"json2"}
    created = sum(c.n_records or 0 for c in odoo.calls if c.model == model and c.model_method == "create")
    assert created == len(odoo.records(model)) - before  # nothing created twice, even transiently
