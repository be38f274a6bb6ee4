"""The audit trail: one odoo_sync.sync_log row per entity per call, scrubbed, appended with COPY."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from functools import partial

import psycopg

from odoo_sync import metrics
from odoo_sync.scrub import scrub_text


@dataclass(frozen=True, slots=True)
class RunContext:
    """Which Airflow run made the calls."""

    dag_id: str | None = None
    run_id: str | None = None
    try_number: int | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """Who a call is about: an entity operation and its idempotency key, if it mutates."""

    entity_type: str
    entity_id: str | None = None
    operation: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class LogRow:
    """One row of odoo_sync.sync_log; field order is the COPY column order."""

    ts: datetime
    tenant_id: str
    entity_type: str | None
    entity_id: str | None
    operation: str | None
    idempotency_key: str | None
    odoo_model: str | None
    method: str
    http_status: int | None
    response_bytes: int | None
    latency_ms: float | None
    outcome: str
    error: str | None
    odoo_id: int | None
    call_id: uuid.UUID | None
    dag_id: str | None
    run_id: str | None
    try_number: int | None


COLUMNS = tuple(f.name for f in fields(LogRow))
_COPY = f"COPY odoo_sync.sync_log ({', '.join(COLUMNS)}) FROM STDIN"


@dataclass(frozen=True, slots=True)
class CallResult:
    """The transport-level facts of one call, shared by every entity the call was about."""

    model: str | None
    method: str
    http_status: int | None
    response_bytes: int | None
    latency_ms: float | None
    outcome: str
    error: str | None = None
    call_id: uuid.UUID | None = None


class SyncLog:
    """Appends scrubbed rows for one tenant and run; commits after each append.

    Inside ``deferred()`` rows are kept in memory (from any thread) and written by ``flush()``: the writer
    sends a call from a worker thread while its own thread, the only one using the database, writes the
    rows of the call before it. The connection is never touched from two threads.
    """

    def __init__(
        self, conn: psycopg.Connection, tenant_id: str, run: RunContext | None = None, secrets: Iterable[str] = ()
    ) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.run = run or RunContext()
        self.secrets = tuple(s for s in secrets if s)
        self._held: list[Callable[[], Sequence[LogRow]]] | None = None
        self._lock = threading.Lock()

    def add_secret(self, secret: str | None) -> None:
        """Scrub this value too (e.g. the connection's password, known only once it is read)."""
        if secret and secret not in self.secrets:
            self.secrets = (*self.secrets, secret)

    def record(
        self,
        call: CallResult,
        entities: Sequence[Entity] = (),
        odoo_ids: Sequence[int | None] = (),
        errors: Mapping[int, str] | None = None,
    ) -> None:
        """Write one row per entity (one row with no entity for a plain read) and commit.

        ``errors``: entities (by index) an answered call left undone (rows ``load`` skipped); their rows say
        'error' and why.
        """
        rows = partial(self._call_rows, datetime.now(UTC), call, tuple(entities), tuple(odoo_ids), dict(errors or {}))
        self.append(rows)
        keyed = sum(1 for e in entities if e.idempotency_key)
        metrics.calls(self.tenant_id, call.model, call.method, call.outcome, call.latency_ms, keyed, len(errors or {}))

    def _call_rows(
        self,
        ts: datetime,
        call: CallResult,
        entities: Sequence[Entity],
        odoo_ids: Sequence[int | None],
        errors: Mapping[int, str],
    ) -> list[LogRow]:
        error, undone = scrub_text(call.error, self.secrets), replace(call, outcome="error")
        rows = []
        for i, entity in enumerate(entities or (None,)):
            odoo_id = odoo_ids[i] if i < len(odoo_ids) else None
            if i in errors:
                rows.append(self._row(ts, undone, scrub_text(errors[i], self.secrets), entity, odoo_id))
            else:
                rows.append(self._row(ts, call, error, entity, odoo_id))
        return rows

    def record_rejections(self, model: str, rejected: Sequence[tuple[Entity, str]]) -> None:
        """One 'error' row per source row that failed validation and was never sent to Odoo."""
        if not rejected:
            return
        metrics.rejected(self.tenant_id, len(rejected))
        ts = datetime.now(UTC)
        call = CallResult(model, "validate", None, None, None, "error")
        self.write_rows(
            [self._row(ts, call, scrub_text(error, self.secrets), entity, None) for entity, error in rejected]
        )

    def record_findings(self, model: str, findings: Sequence[tuple[Entity, str, int | None]]) -> None:
        """One row per record a rebuild from Odoo found changed there (method ``rebuild``): what and why in
        ``error``, the Odoo id it had. The calls that put it back follow with rows of their own."""
        if not findings:
            return
        ts = datetime.now(UTC)
        call = CallResult(model, "rebuild", None, None, None, "ok")
        self.write_rows(
            [self._row(ts, call, scrub_text(why, self.secrets), entity, odoo_id) for entity, why, odoo_id in findings]
        )

    def write_rows(self, rows: Sequence[LogRow]) -> None:
        """COPY rows in and commit (held while deferred); rows must already be scrubbed."""
        self.append(lambda: rows)

    def append(self, rows: Callable[[], Sequence[LogRow]]) -> None:
        """Write ``rows()`` now, or hold the builder while deferred: a call's 500 rows are then built by
        ``flush()`` on the connection's thread, not on the wire thread between one answer and the next call."""
        with self._lock:
            if self._held is not None:
                self._held.append(rows)
                return
        self._copy(rows())

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold rows until ``flush()`` or the end of the block (nested blocks share the outer one)."""
        with self._lock:
            outer = self._held is not None
            if not outer:
                self._held = []
        try:
            yield
        finally:
            if not outer:
                self.flush()
                with self._lock:
                    self._held = None

    def flush(self) -> None:
        """Write the rows held so far (from the thread that owns the connection)."""
        with self._lock:
            held, self._held = self._held, ([] if self._held is not None else None)
        if held:
            self._copy([row for rows in held for row in rows()])

    def _copy(self, rows: Sequence[LogRow]) -> None:
        if not rows:
            return
        with self.conn.cursor() as cur, cur.copy(_COPY) as copy:
            for row in rows:
                copy.write_row(tuple(getattr(row, name) for name in COLUMNS))
        self.conn.commit()

    def _row(
        self, ts: datetime, call: CallResult, error: str | None, entity: Entity | None, odoo_id: int | None
    ) -> LogRow:
        return LogRow(
            ts=ts,
            tenant_id=self.tenant_id,
            entity_type=entity.entity_type if entity else None,
            entity_id=entity.entity_id if entity else None,
            operation=entity.operation if entity else None,
            idempotency_key=scrub_text(entity.idempotency_key, self.secrets) if entity else None,
            odoo_model=call.model,
            method=call.method,
            http_status=call.http_status,
            response_bytes=call.response_bytes,
            latency_ms=call.latency_ms,
            outcome=call.outcome,
            error=error,
            odoo_id=odoo_id,
            call_id=call.call_id,
            dag_id=self.run.dag_id,
            run_id=self.run.run_id,
            try_number=self.run.try_number,
        )
