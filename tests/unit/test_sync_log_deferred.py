"""While deferred, a call's audit rows are built by ``flush()``, on the thread that owns the connection.

The writer sends each call from a worker thread; building a 500-record call's rows there (about 5 ms of
scrubbing) would sit between one answer and the next call. Built later, they must be the same rows.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Sequence

from odoo_sync.store.sync_log import CallResult, Entity, LogRow, RunContext, SyncLog

SECRET = "s3cret-password"


class CapturedSyncLog(SyncLog):
    """A SyncLog whose COPY is a list, and which notes the thread each call's rows were built on."""

    def __init__(self) -> None:
        super().__init__(None, "acme", RunContext("odoo_sync_acme", "run-1", 1), secrets=[SECRET])  # type: ignore[arg-type]
        self.copied: list[LogRow] = []
        self.built_on: list[str] = []

    def _copy(self, rows: Sequence[LogRow]) -> None:
        self.copied.extend(rows)

    def _call_rows(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.built_on.append(threading.current_thread().name)
        return super()._call_rows(*args, **kwargs)


def _call(error: str | None = None) -> CallResult:
    outcome = "ok" if error is None else "error"
    return CallResult("account.analytic.line", "create", 200, 1234, 87.5, outcome, error, uuid.uuid4())


def _entities(n: int) -> list[Entity]:
    return [Entity("line", f"SL-{i}", "create", f"acme:line:SL-{i}:create") for i in range(n)]


def test_a_deferred_calls_rows_are_built_at_flush_on_the_flushing_thread() -> None:
    log = CapturedSyncLog()
    with log.deferred():
        wire = threading.Thread(target=log.record, args=(_call(), _entities(3), [11, 12, 13]), name="odoo-call")
        wire.start()
        wire.join()
        assert log.built_on == [] and log.copied == []  # nothing built on the wire thread
        log.flush()
        assert log.built_on == [threading.current_thread().name]
        assert [(r.entity_id, r.odoo_id, r.outcome) for r in log.copied] == [
            ("SL-0", 11, "ok"),
            ("SL-1", 12, "ok"),
            ("SL-2", 13, "ok"),
        ]


def test_rows_built_later_equal_rows_written_at_once() -> None:
    call, entities = _call(f"refused: login admin / {SECRET}"), _entities(2)
    now, later = CapturedSyncLog(), CapturedSyncLog()
    now.record(call, entities, [], errors={1: f"row 1 bad ({SECRET})"})
    with later.deferred():
        later.record(call, entities, [], errors={1: f"row 1 bad ({SECRET})"})
    assert len(now.copied) == len(later.copied) == 2
    for a, b in zip(now.copied, later.copied, strict=True):
        assert _same_but_ts(a, b)  # the same row but for its timestamp
    assert SECRET not in str(later.copied)  # scrubbed when built, as when written at once
    assert [r.outcome for r in later.copied] == ["error", "error"]


def _same_but_ts(a: LogRow, b: LogRow) -> bool:
    return dataclasses.replace(a, ts=b.ts) == b


def test_rows_written_outside_a_deferred_block_are_copied_at_once() -> None:
    log = CapturedSyncLog()
    log.record(_call(), _entities(1), [7])
    assert [r.odoo_id for r in log.copied] == [7]
    log.write_rows(log.copied[:1])
    assert len(log.copied) == 2
