"""One task's working set: databases, hook, ledger, writer; and the run's time window.

``Seams`` names what a session builds its collaborators from; tests and the bench pass their own to watch Odoo
calls, ledger writes and the tenant lock (see ``tests/reliability/harness.py``, ``bench/project_run.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from odoo_sync.config import TenantConfig, tenant_by_id
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.json2 import make_client
from odoo_sync.odoo.seams import SYSTEM_CLOCK, ClientFactory, Clock
from odoo_sync.store import db
from odoo_sync.store.ledger import Ledger
from odoo_sync.store.locks import lock_tenant, record_holder
from odoo_sync.store.records import RecordStore
from odoo_sync.store.sync_log import RunContext, SyncLog
from odoo_sync.sync.breaker import RemovalBreaker
from odoo_sync.sync.dry_run import DryRun
from odoo_sync.sync.summary import Summary
from odoo_sync.sync.writer import IdempotentWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Seams:
    """What a session builds its Odoo client, clock, sync log and ledger with, and how it locks its tenant.

    The defaults are production's. A test or the bench passes its own to observe, never to change what is sent.
    """

    client_factory: ClientFactory = make_client
    clock: Clock = SYSTEM_CLOCK
    sync_log: Callable[[psycopg.Connection, str, RunContext], SyncLog] = SyncLog
    ledger: Callable[[psycopg.Connection], Ledger] = Ledger
    lock_tenant: Callable[[psycopg.Connection, str], None] = lock_tenant


DEFAULT_SEAMS = Seams()


@dataclass
class Session:
    """Everything a sync step touches, opened once per task and closed after it."""

    tenant: TenantConfig
    conn: psycopg.Connection
    hook: OdooHook
    ledger: Ledger
    writer: IdempotentWriter
    sync_log: SyncLog
    summary: Summary
    records: RecordStore
    breaker: RemovalBreaker
    dry_run: DryRun | None = None  # set: plans are collected, nothing is sent or saved
    draft: bool = False  # ``records`` is a dry run's draft (sync/rebuild.py): only its own connection sees it
    _source: psycopg.Connection | None = field(default=None, repr=False)
    _reader: psycopg.Connection | None = field(default=None, repr=False)

    def source(self) -> psycopg.Connection:
        """The grant platform's database, read-only, opened on first use."""
        if self._source is None:
            self._source = psycopg.connect(db.conninfo_for(self.tenant.source_conn_id))
            self._source.read_only = True
        return self._source

    def reader(self) -> psycopg.Connection:
        """A second, read-only connection to the integration's database, for the read-ahead thread (``conn``
        stays the task thread's own)."""
        if self._reader is None:
            self._reader = psycopg.connect(db.conninfo_for(), autocommit=True)
            self._reader.read_only = True
        return self._reader

    def close_extra(self) -> None:
        for conn in (self._source, self._reader):
            if conn is not None:
                conn.close()


def run_context(context: dict[str, Any] | None) -> RunContext:
    """Which DAG run and try made the calls (for sync_log)."""
    if not context:
        return RunContext()
    ti = context.get("ti")
    return RunContext(
        dag_id=getattr(ti, "dag_id", None),
        run_id=context.get("run_id"),
        try_number=getattr(ti, "try_number", None),
    )


@contextmanager
def session(
    tenant_id: str,
    context: dict[str, Any] | None = None,
    *,
    exclusive: bool = True,
    octx: dict[str, Any] | None = None,
    seams: Seams = DEFAULT_SEAMS,
) -> Iterator[Session]:
    """Open a session; ``exclusive`` serialises a tenant's writers with a PostgreSQL advisory lock.

    ``octx`` is check_odoo's result: its uid spares later tasks a second version check and login.
    The run's ``confirm_removals`` param lets the circuit breaker pass. ``seams``: see ``Seams``.
    """
    tenant = tenant_by_id(tenant_id)
    with db.connect() as conn:
        run = run_context(context)
        if exclusive:
            seams.lock_tenant(conn, tenant_id)
            record_holder(conn, tenant_id, holder_label(run, context))
        sync_log = seams.sync_log(conn, tenant_id, run)
        hook = OdooHook(
            tenant.odoo_conn_id,
            tenant_id=tenant_id,
            sync_log=sync_log,
            calls_per_second=tenant.calls_per_second,
            checked_uid=(octx or {}).get("uid"),
            checked_api=(octx or {}).get("api") or None,
            checked_version=(octx or {}).get("server_version") or None,
            company_id=tenant.company_id,
            client_factory=seams.client_factory,
            clock=seams.clock,
        )
        ledger = seams.ledger(conn)
        writer = IdempotentWriter(hook, ledger, tenant.batch_size, progress=_progress_logger(tenant_id))
        records = RecordStore(conn, tenant_id)
        breaker = RemovalBreaker(records, tenant.max_removal_share, bool(param(context, "confirm_removals")))
        s = Session(tenant, conn, hook, ledger, writer, sync_log, Summary(tenant_id), records, breaker)
        if param(context, "dry_run"):
            s.dry_run, hook.read_only = DryRun(tenant_id), True
        try:
            yield s
        finally:
            s.close_extra()


def _progress_logger(tenant_id: str) -> Any:
    def progress(done: int, total: int, seconds: float) -> None:
        log.info("tenant %s: %s/%s records, %.1f s", tenant_id, f"{done:,}", f"{total:,}", seconds)

    return progress


def holder_label(run: RunContext, context: dict[str, Any] | None) -> str:
    """How a lock's holder is named to a run that waits for it: DAG, run, task and try."""
    if run.run_id is None:
        return "a session outside Airflow (a script, the bench or a test)"
    task = getattr((context or {}).get("ti"), "task_id", None) or "?"
    return f"{run.dag_id} run {run.run_id}, task {task} (try {run.try_number})"


def param(context: dict[str, Any] | None, name: str) -> Any:
    """A run's param (the trigger form's value, else the DAG's default)."""
    return ((context or {}).get("params") or {}).get(name)
