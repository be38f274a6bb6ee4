"""The tenant DAG logged in as a role granted ``odoo_sync_writer`` only (migration 005), as a least-privilege
deployment runs it: the owner applied the migrations; every task, ``migrate_schema`` first, runs as the writer.

The whole suite can run that way too: ``pytest --db-login=writer`` (tests/conftest.py).
"""

from __future__ import annotations

import pytest

from tests.scenarios.world import World

pytestmark = pytest.mark.scenarios


def test_the_tenant_dag_syncs_and_resyncs_as_the_writer(world: World, as_writer: str) -> None:
    assert world.run() == "success"
    assert world.assert_converged() == 320
    world.edit("SL-00001", amount="123.45")
    world.delete("SL-00320")
    world.odoo.reset_calls()
    assert world.run() == "success"
    assert world.assert_converged() == 319
    assert world.mutations()["unlink"] == 1
