"""The asset watcher's trigger: probe the source for each tenant's changes and fire when its marker moves.

One ``SourceChangeTrigger`` per event-driven tenant runs in the triggerer (an ``AssetWatcher`` on the tenant's
asset, see ``dag_factory``). The triggers of one source share one poll (Airflow 3.3's shared streams): every
``probe_seconds`` one query (``odoo_sync/sql/source/change_markers.sql``) reads every tenant's change marker, and
each trigger fires when its own tenant's marker differs from the last it saw. The first marker a trigger sees
fires too (a triggerer that just started cannot know what changed while it was away); the run's gate
(``odoo_sync.sync.changes``) makes such a run free when nothing did.

A probe that fails (source down, network) is logged and retried at the next interval: the trigger never dies of
it, and the tenant's time schedule keeps syncing meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Hashable, Mapping
from datetime import UTC, datetime
from typing import Any

import psycopg
from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from odoo_sync.store.db import conninfo_of
from odoo_sync.sync import source
from odoo_sync.sync.changes import SourceMarker, empty_marker, marker_of

log = logging.getLogger(__name__)
CLASSPATH = "odoo_sync.airflow.watcher.SourceChangeTrigger"
Snapshot = Mapping[str, SourceMarker]  # tenant_id -> marker, the whole fleet at one probe


class ChangeWatch:
    """One tenant's memory between probes (pure): which marker it saw last."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.last: str | None = None

    def observe(self, snapshot: Snapshot) -> SourceMarker | None:
        """The tenant's marker when it moved since the last probe (or on the first), else None."""
        marker = snapshot.get(self.tenant_id) or empty_marker(self.tenant_id)
        if marker.text == self.last:
            return None
        self.last = marker.text
        return marker


async def probe(conn: psycopg.AsyncConnection[Any]) -> dict[str, SourceMarker]:
    """Every tenant's marker in one query."""
    async with conn.cursor() as cur:
        await cur.execute(source.query("change_markers"), {"tenants": None})  # type: ignore[arg-type]
        rows = await cur.fetchall()
    return {marker.tenant_id: marker for marker in map(marker_of, rows)}


async def probe_forever(conn_id: str, every: float) -> AsyncIterator[dict[str, SourceMarker]]:
    """A fleet snapshot every ``every`` seconds; errors are logged and the connection opened again."""
    conn: psycopg.AsyncConnection[Any] | None = None
    try:
        while True:
            try:
                if conn is None or conn.closed:
                    conn = await _connect(conn_id)
                yield await probe(conn)
            except (psycopg.Error, OSError) as exc:
                log.warning("source probe on %s failed, retrying in %.0f s: %s", conn_id, every, exc)
                await _close(conn)
                conn = None
            await asyncio.sleep(every)
    finally:
        await _close(conn)


async def _connect(conn_id: str) -> psycopg.AsyncConnection[Any]:
    from airflow.sdk import BaseHook

    info = conninfo_of(await BaseHook.aget_connection(conn_id))
    return await psycopg.AsyncConnection.connect(info, autocommit=True)  # each probe sees the latest commits


async def _close(conn: psycopg.AsyncConnection[Any] | None) -> None:
    if conn is not None and not conn.closed:
        await conn.close()


class SourceChangeTrigger(BaseEventTrigger):
    """Fire an asset event when ``tenant_id``'s source change marker moves (probed every ``probe_seconds``)."""

    def __init__(self, tenant_id: str, source_conn_id: str = "togrant_source", probe_seconds: float = 10.0) -> None:
        super().__init__()
        self.tenant_id = tenant_id
        self.source_conn_id = source_conn_id
        self.probe_seconds = float(probe_seconds)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        kwargs = {"tenant_id": self.tenant_id, "source_conn_id": self.source_conn_id}
        return CLASSPATH, {**kwargs, "probe_seconds": self.probe_seconds}

    def shared_stream_key(self) -> Hashable:
        """Tenants on the same source and interval share one probe: one query for the fleet."""
        return ("odoo_sync.source_probe", self.source_conn_id, self.probe_seconds)

    @classmethod
    async def open_shared_stream(cls, kwargs: dict[str, Any]) -> AsyncIterator[Any]:  # type: ignore[override]
        async for snapshot in probe_forever(kwargs["source_conn_id"], float(kwargs["probe_seconds"])):
            yield snapshot

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        watch = ChangeWatch(self.tenant_id)
        async for snapshot in shared_stream:
            moved = watch.observe(snapshot)
            if moved is not None:
                yield TriggerEvent(event_payload(moved))

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Standalone (no shared stream): the same probe loop, for this trigger alone."""
        async for event in self.filter_shared_stream(self.open_shared_stream(self.serialize()[1])):
            yield event


def event_payload(marker: SourceMarker) -> dict[str, Any]:
    """What the asset event carries: the tenant, its marker, the source's latest change, when it was seen."""
    latest = marker.latest_change.isoformat() if marker.latest_change else None
    return {
        "tenant_id": marker.tenant_id,
        "marker": marker.text,
        "latest_change": latest,
        "seen_at": datetime.now(UTC).isoformat(),
    }
