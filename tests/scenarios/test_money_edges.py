"""Edges where Odoo's money could go wrong with every run green: codes that hold "/", statuses outside the contract."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from odoo_sync.store.records import RecordStore
from odoo_test_server import FakeOdoo
from tests.scenarios.world import LINE, World

pytestmark = pytest.mark.scenarios


def _slashed_project(world: World, code: str = "2026/01") -> None:
    """A project whose code holds "/" (finance numbers projects by year), with a budget line and two lines."""
    at = datetime.now(UTC)
    world.sql(
        "INSERT INTO togrant.projects (tenant_id, code, name, updated_at) VALUES (%s, %s, %s, %s)",
        world.tenant,
        code,
        "Year-numbered project",
        at,
    )
    world.sql(
        "INSERT INTO togrant.budget_lines (tenant_id, project_code, code, name, category_code, updated_at)"
        " VALUES (%s, %s, '1.1', 'Coordinator', 'HR', %s)",
        world.tenant,
        code,
        at,
    )


def test_a_project_code_holding_a_slash_syncs_once_and_stays_still(world: World) -> None:
    _slashed_project(world)
    ids = [world.add_line(project="2026/01", budget_line="1.1", amount=a) for a in ("120.00", "80.50")]
    assert world.run() == "success"
    world.assert_converged()
    world.odoo.reset_calls()

    assert world.run() == "success"  # a second run and a reconciliation send nothing
    assert world.mutations() == {"create": 0, "write": 0, "unlink": 0}
    assert world.run(reconcile=True) == "success"
    assert world.mutations() == {"create": 0, "write": 0, "unlink": 0}
    world.assert_converged()

    world.edit(ids[0], amount="150.00")
    assert world.run(dry_run=True) == "success"
    from tests.scenarios.test_dry_run import _plan_of

    money = _plan_of(world, "analytic_lines")["money"]
    assert money["project"] == {"2026/01": f"{Decimal('-30.00'):.2f}"}  # booked under the whole code, not "2026"
    assert money["budget_line"] == {"2026/01/1.1": "-30.00"}


def test_a_status_outside_the_contract_leaves_odoo_as_it_was(world: World) -> None:
    assert world.run() == "success"
    line_id = world.line_ids()[0]
    world.edit(line_id, status="VOID", amount="999.00")  # a view that upper-cases: neither removed nor rewritten
    world.odoo.reset_calls()

    assert world.run() == "success"
    assert world.mutations() == {"create": 0, "write": 0, "unlink": 0}
    world.assert_converged(rejected=(line_id,))
    logged = world.db.execute(
        "SELECT error FROM odoo_sync.sync_log WHERE entity_id = %s AND error IS NOT NULL", (line_id,)
    ).fetchall()
    world.db.commit()
    assert any("field status: 'VOID' is neither 'posted' nor 'void'" in r[0] for r in logged)

    world.edit(line_id, status="void")
    assert world.run() == "success"
    assert world.mutations()["unlink"] == 1
    world.assert_converged()


def test_a_view_that_turns_every_row_void_is_stopped_by_the_circuit_breaker(world: World) -> None:
    assert world.run() == "success"
    lines = world.assert_converged()
    world.sql(
        "UPDATE togrant.spending_lines SET status = 'void', updated_at = now() WHERE tenant_id = %s", world.tenant
    )
    world.odoo.reset_calls()

    assert world.run() == "failed"  # before: every line was removed from Odoo, green
    assert world.mutations()["unlink"] == 0
    assert world.run(confirm_removals=True) == "success"  # someone checked: the voids are real
    assert world.assert_converged() == 0 < lines  # every line was voided: none left in Odoo, none twice


def _refuse_deleting(world: World, line_id: str, why: str) -> int:
    """Odoo refuses to delete this line's record (a lock date, a validated entry): what the test server can do."""
    if not isinstance(world.odoo, FakeOdoo):
        pytest.skip("a refused unlink is set up on the test server")
    [odoo_id] = [r["id"] for r in world.odoo.records(LINE) if str(r["ref"]).split(":")[2] == line_id]
    world.odoo.fail_unlink = lambda model, record: why if record["id"] == odoo_id else None
    return int(odoo_id)


def _cursor(world: World) -> datetime:
    row = world.db.execute(
        "SELECT watermark FROM odoo_sync.watermark WHERE tenant_id = %s AND entity_type = 'line'", (world.tenant,)
    ).fetchone()
    world.db.commit()
    return row[0]


def _record(world: World, line_id: str) -> tuple[str, str | None]:
    row = world.db.execute(
        "SELECT state, error FROM odoo_sync.record WHERE tenant_id = %s AND entity_type = 'line' AND entity_id = %s",
        (world.tenant, line_id),
    ).fetchone()
    world.db.commit()
    return row[0], row[1]


def test_a_line_odoo_refuses_to_delete_waits_while_the_tenant_goes_on(world: World) -> None:
    assert world.run() == "success"
    locked = world.line_ids()[0]
    odoo_id = _refuse_deleting(world, locked, "You cannot delete an entry of a locked period.")
    world.edit(locked, status="void")

    for run in range(2):  # before: the task failed on the refusal, and every later run stopped at the same line
        added = world.add_line(amount=f"{10 + run}.00")
        cursor = _cursor(world)
        assert world.run() == "success"
        assert _cursor(world) > cursor  # the cursor moved past the refused line
        world.assert_converged(rejected=(locked,))  # the new line is in Odoo, exactly
        assert added in {str(r["ref"]).split(":")[2] for r in world.odoo.records(LINE)}
        assert odoo_id in {r["id"] for r in world.odoo.records(LINE)}
        state, error = _record(world, locked)
        assert state == "present" and "locked period" in str(error)
        refused = world.db.execute(
            "SELECT count(*) FROM odoo_sync.sync_log WHERE entity_id = %s AND method = 'unlink' AND outcome = 'error'"
            " AND error LIKE '%%locked period%%'",
            (locked,),
        ).fetchone()
        world.db.commit()
        assert refused is not None and refused[0] >= run + 1  # reported on each run that tried it
        waiting = RecordStore(world.db, world.tenant).rejected_ids("line")
        assert waiting == [locked]  # what the dashboard shows as waiting, and what the next run tries again

    world.odoo.fail_unlink = None  # unlocked in Odoo
    assert world.run() == "success"
    assert odoo_id not in {r["id"] for r in world.odoo.records(LINE)}
    assert _record(world, locked) == ("absent", None)
    world.assert_converged()


def test_a_deleted_line_odoo_refuses_to_delete_is_tried_again_by_the_next_runs(world: World) -> None:
    assert world.run() == "success"
    locked = world.line_ids()[0]
    odoo_id = _refuse_deleting(world, locked, "You cannot delete a validated entry.")
    world.delete(locked)
    assert world.run(reconcile=True) == "success"  # a reconciliation finds the rows the source deleted
    assert odoo_id in {r["id"] for r in world.odoo.records(LINE)}
    assert RecordStore(world.db, world.tenant).rejected_ids("line") == [locked]
    world.db.commit()
    world.odoo.reset_calls()

    world.odoo.fail_unlink = None
    assert world.run() == "success"  # a plain run: the refused line is one of the rows it retries
    assert world.mutations()["unlink"] == 1
    assert odoo_id not in {r["id"] for r in world.odoo.records(LINE)}
    world.assert_converged()
