"""The watcher's probe logic and the run's gate, without servers: when does a tenant's change fire, when not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from odoo_sync.airflow.dag_factory import build_tenant_dag
from odoo_sync.airflow.watcher import ChangeWatch, SourceChangeTrigger
from odoo_sync.config import TenantConfig
from odoo_sync.sync.changes import SourceMarker, decide, marker_of

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 4, 9, 5, tzinfo=UTC)


def snap(**markers: tuple[int, datetime, str]) -> dict[str, SourceMarker]:
    return {tenant: marker_of((tenant, *m)) for tenant, m in markers.items()}


def test_the_first_probe_fires_then_only_a_moved_marker_does() -> None:
    watch = ChangeWatch("acme")
    assert watch.observe(snap(acme=(10, T0, "100"))) is not None  # a new watcher cannot know what it missed
    assert watch.observe(snap(acme=(10, T0, "100"))) is None
    assert watch.observe(snap(acme=(10, T0, "100"), other=(3, T1, "9"))) is None  # another tenant's change
    moved = watch.observe(snap(acme=(11, T1, "160")))
    assert moved is not None and moved.latest_change == T1 and moved.row_count == 11


def test_an_edit_with_an_older_stamp_or_a_deletion_moves_the_marker() -> None:
    watch = ChangeWatch("acme")
    watch.observe(snap(acme=(10, T1, "100")))
    assert watch.observe(snap(acme=(10, T1, "97"))) is not None  # same count and latest, a back-dated edit
    assert watch.observe(snap(acme=(9, T1, "90"))) is not None  # a deletion
    assert watch.observe({}) is not None  # every row gone: the empty marker is a change too
    assert watch.observe({}) is None


def test_the_trigger_yields_one_event_per_change_from_the_shared_stream() -> None:
    snapshots = [snap(acme=(1, T0, "1")), snap(acme=(1, T0, "1")), snap(acme=(2, T1, "3")), snap(acme=(2, T1, "3"))]

    async def stream() -> AsyncIterator[Any]:
        for s in snapshots:
            yield s

    async def collect() -> list[Any]:
        trigger = SourceChangeTrigger("acme", "togrant_source", 5)
        return [event.payload async for event in trigger.filter_shared_stream(stream())]

    events = asyncio.run(collect())
    assert [e["marker"] for e in events] == ["1:2026-12-04T09:00:00+00:00:1", "2:2026-12-04T09:05:00+00:00:3"]
    assert {e["tenant_id"] for e in events} == {"acme"}


def test_triggers_of_one_source_and_interval_share_one_probe() -> None:
    a, b = SourceChangeTrigger("acme", "src", 10), SourceChangeTrigger("beta", "src", 10)
    assert a.shared_stream_key() == b.shared_stream_key()
    assert a.shared_stream_key() != SourceChangeTrigger("acme", "other_src", 10).shared_stream_key()
    assert SourceChangeTrigger(**a.serialize()[1]).serialize() == a.serialize()


def _decide(**overrides: Any) -> tuple[bool, str]:
    args: dict[str, Any] = {
        "run_type": "scheduled",
        "params": {},
        "marker": "m1",
        "synced": "m1",
        "reconcile_due": False,
        "rejected": 0,
    }
    decision = decide(**{**args, **overrides})
    return decision.proceed, decision.why


def test_a_quiet_scheduled_or_event_run_stops_at_the_gate() -> None:
    assert _decide() == (False, "the source has not changed since the last sync")
    assert _decide(run_type="asset_triggered")[0] is False


def test_the_gate_lets_a_run_through_for_each_reason() -> None:
    assert _decide(marker="m2") == (True, "the source changed")
    assert _decide(run_type="manual")[0] and _decide(run_type="backfill")[0]
    assert _decide(params={"reconcile": True, "dry_run": False}) == (True, "params reconcile")
    assert _decide(synced=None)[0]  # nothing synced yet (a new tenant, or an upgrade)
    assert _decide(reconcile_due=True) == (True, "the reconciliation is due")
    assert _decide(rejected=2) == (True, "2 rejected row(s) to retry")
    assert _decide(params={"rebuild": True}) == (True, "params rebuild")  # a scheduled run given the rebuild param


def test_tenants_are_event_driven_by_default_with_a_bounded_probe_interval() -> None:
    tenant = TenantConfig(tenant_id="acme", display_name="ACME")
    assert tenant.event_driven is True and tenant.probe_seconds == 10
    with pytest.raises(ValidationError, match="probe_seconds"):
        TenantConfig(tenant_id="acme", display_name="ACME", probe_seconds=0)
    doc = build_tenant_dag(tenant).doc_md or ""
    assert "within about 10 s of a change" in doc and "docs/event-driven.md" in doc
    calm = build_tenant_dag(TenantConfig(tenant_id="calm", display_name="Calm", event_driven=False)).doc_md or ""
    assert "only (`event_driven: false`)" in calm
