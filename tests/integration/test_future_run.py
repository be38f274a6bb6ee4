"""A run dated a year ahead (a typo in the trigger form) under dag.test(): it fails at its first Odoo task,
sends nothing, and the cursor's mark and the recorded last success stay where they were; the next run is
ordinary. (On a live scheduler such a run never starts a task at all: health names it, see
tests/integration/test_sync_staleness.py and docs/scheduling.md.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from odoo_sync.store import sync_runs, watermarks
from tests.integration.test_drift import synced
from tests.scenarios.world import World

pytestmark = pytest.mark.integration
__all__ = ["synced"]  # a tenant synced once, from the drift tests


def test_a_future_dated_run_fails_fast_and_moves_nothing(synced: World) -> None:
    mark = watermarks.read_mark(synced.db, "acme", "line")
    success = sync_runs.load(synced.db, ["acme"])["acme"].last_success_at
    synced.db.commit()
    assert mark.watermark is not None and mark.watermark <= datetime.now(UTC)
    synced.odoo.reset_calls()
    assert synced.run(logical_date=datetime.now(UTC) + timedelta(days=365)) == "failed"
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    assert watermarks.read_mark(synced.db, "acme", "line") == mark
    assert sync_runs.load(synced.db, ["acme"])["acme"].last_success_at == success
    synced.db.commit()
    assert synced.run() == "success"
    after = watermarks.read_mark(synced.db, "acme", "line")
    assert after.watermark is not None and mark.watermark < after.watermark <= datetime.now(UTC)
