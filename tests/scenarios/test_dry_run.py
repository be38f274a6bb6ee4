"""A dry run shows what a run, a backfill range or a reconciliation would do, and does none of it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from tests.scenarios.world import World, hours_ago

pytestmark = pytest.mark.scenarios
STATE_TABLES = ("record", "ledger", "watermark")


@pytest.fixture
def synced(world: World) -> World:
    assert world.run() == "success"
    world.odoo.reset_calls()
    return world


def _state(world: World) -> dict[str, Any]:
    """The integration's own state a dry run must leave alone: records, ledger, cursor."""
    out = {}
    for table in STATE_TABLES:
        rows = world.db.execute(f"SELECT to_jsonb(t)::text FROM odoo_sync.{table} t ORDER BY 1").fetchall()  # noqa: S608
        out[table] = [r[0] for r in rows]
    world.db.commit()
    return out


def _plan_of(world: World, task: str) -> dict[str, Any]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter(XComModel.task_id == task).order_by(XComModel.timestamp.desc()).all()
        value = rows[0].value
    return (json.loads(value) if isinstance(value, str) else value)["dry_run"]


def test_a_dry_run_of_a_reconciliation_lists_every_change_and_the_money_but_sends_nothing(synced: World) -> None:
    ids = synced.line_ids()
    synced.edit(ids[0], amount="1000.00", updated_at=hours_ago(24 * 30))  # back-dated: only a reconciliation sees it
    synced.delete(ids[1])
    new = synced.add_line(project="PRJ-001", budget_line="2.1", amount="250.00")
    before, odoo_before = _state(synced), {r["id"]: r for r in synced.odoo.records("account.analytic.line")}
    amount_0 = next(Decimal(str(r["amount"])) for r in odoo_before.values() if r["ref"].split(":")[2] == ids[0])
    amount_1 = next(Decimal(str(r["amount"])) for r in odoo_before.values() if r["ref"].split(":")[2] == ids[1])

    assert synced.run(reconcile=True, dry_run=True) == "success"

    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    assert _state(synced) == before  # nothing saved: the real run afterwards does exactly this
    plan = _plan_of(synced, "analytic_lines")
    assert plan["entities"]["line"]["counts"] | {"unchanged": 0} == {
        "create": 1,
        "write": 1,
        "remove": 1,
        "rejected": 0,
        "unchanged": 0,
    }
    keys = plan["entities"]["line"]["keys"]
    assert keys["create"] == [f"acme:line:{new}:create"] and keys["remove"] == [f"acme:line:{ids[1]}:unlink"]
    assert keys["write"][0].startswith(f"acme:line:{ids[0]}:write-1-")
    moved = Decimal("-250.00") + (Decimal("-1000.00") - amount_0) - amount_1  # costs are negative in Odoo
    assert sum(Decimal(v) for v in plan["money"]["project"].values()) == moved
    kept = synced.db.execute("SELECT summary FROM odoo_sync.dry_run WHERE summary->'entities' ? 'line'").fetchall()
    synced.db.commit()
    assert [row[0]["money"] for row in kept] == [plan["money"]]  # for the health page: finance approves there

    assert synced.run(reconcile=True) == "success"  # the real run does what the dry run showed
    assert synced.mutations() == {"create": 1, "write": 1, "unlink": 1}
    assert synced.assert_converged() == 320


def test_a_dry_run_of_a_backfill_range_sends_nothing_and_keeps_the_cursor(synced: World) -> None:
    for line_id in synced.line_ids()[:5]:
        synced.edit(line_id, amount="1.00", updated_at=hours_ago(3))
    before = _state(synced)
    assert synced.run(hours_ago(4), dry_run=True) == "success"
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    assert _state(synced) == before
    assert _plan_of(synced, "analytic_lines")["entities"]["line"]["counts"]["write"] == 5


def test_a_dry_run_of_a_reconciliation_shows_removals_the_breaker_would_refuse(synced: World) -> None:
    ids = synced.line_ids()
    gone = ids[: len(ids) // 2]  # half the tenant's lines vanish from the source: past the 25% share
    synced.delete(*gone)
    before = _state(synced)

    assert synced.run(reconcile=True, dry_run=True) == "success"  # it failed with RemovalRefused before

    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    assert _state(synced) == before
    plan = _plan_of(synced, "analytic_lines")
    assert plan["entities"]["line"]["counts"]["remove"] == len(gone)
    refusal = plan["breaker_refused"]["line"]
    assert f"remove {len(gone):,} of {len(ids):,} line records" in refusal and "confirm_removals" in refusal
    assert synced.run(reconcile=True) == "failed"  # the real run is refused, as the dry run said
    assert synced.mutations()["unlink"] == 0
