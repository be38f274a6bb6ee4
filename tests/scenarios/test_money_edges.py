"""Edges where Odoo's money could go wrong with every run green: codes that hold "/", statuses outside the contract."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.scenarios.world import World

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
