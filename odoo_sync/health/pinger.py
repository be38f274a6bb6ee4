"""Ping every tenant's Odoo at once: one authenticated no-op call each, bounded in time."""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, date, datetime
from typing import Any

from airflow.sdk.exceptions import AirflowNotFoundException

from odoo_sync.config import TenantConfig
from odoo_sync.errors import ErrorClass, OdooSyncError, classify
from odoo_sync.odoo.client import OdooClient, OdooEndpoint, major_version
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.json2 import api_of, make_client
from odoo_sync.scrub import scrub_text
from odoo_sync.store.sync_log import LogRow, RunContext, SyncLog
from odoo_sync.sync import plans

log = logging.getLogger(__name__)
XMLRPC_DEPRECATED_FROM = 19
CALLS_PER_PING = 3  # version, authenticate, the no-op read: each has the socket timeout


@dataclasses.dataclass(frozen=True, slots=True)
class PingResult:
    """One health ping, as stored in odoo_sync.health_ping."""

    tenant_id: str
    ts: datetime
    ok: bool
    latency_ms: float
    error_class: ErrorClass | None = None
    error: str | None = None
    server_version: str | None = None
    warnings: tuple[str, ...] = ()
    api_key_expires: date | None = None


@dataclasses.dataclass
class Outcome:
    """A ping and the sync_log rows its calls produced (written by the caller, in one COPY)."""

    result: PingResult
    log_rows: list[LogRow] = dataclasses.field(default_factory=list)


class BufferedSyncLog(SyncLog):
    """Collects a ping's sync_log rows in memory, so threads never share a database connection."""

    def __init__(self, tenant_id: str, run: RunContext) -> None:
        super().__init__(None, tenant_id, run)  # type: ignore[arg-type]  # never writes itself
        self.rows: list[LogRow] = []

    def append(self, rows: Callable[[], Sequence[LogRow]]) -> None:
        self.rows.extend(rows())


@dataclasses.dataclass
class Probe:
    """A ping's client factory (the hook's ``client_factory`` seam): each call gets the health timeout, and the
    probe notes the secret (to scrub errors) and the API key's expiry from the connection it was built for."""

    conn_id: str
    timeout: float
    secret: str = ""
    api_key_expires: date | None = None

    def client(self, endpoint: OdooEndpoint, api: str | None) -> OdooClient:
        extra = OdooHook.get_connection(self.conn_id).extra_dejson
        self.api_key_expires = _parse_date(extra.get("api_key_expires"))
        self.secret = endpoint.secret
        return make_client(dataclasses.replace(endpoint, timeout=min(endpoint.timeout, self.timeout)), api)


def transport_warnings(version: dict[str, Any] | None, api: str) -> list[str]:
    """Odoo 19 deprecates /xmlrpc/2 (its log says removal in 20; its documentation gives Odoo Online 21.1 and
    Odoo 22): a tenant still on XML-RPC there is amber, with the way to switch."""
    major = major_version(version or {})
    if api != "xmlrpc" or major is None or major < XMLRPC_DEPRECATED_FROM:
        return []
    return [
        f"Odoo {(version or {}).get('server_version')} is reached over XML-RPC, which Odoo deprecates from "
        f"{XMLRPC_DEPRECATED_FROM} and will remove: switch the connection to the JSON-2 API. In Odoo, log in as the "
        f"integration user, Preferences > Account Security > New API Key; put the key in the connection's password "
        f"and leave its extra api at auto (or set json2). The Test button then answers 'Odoo <version> over JSON-2'."
    ]


def ping_tenant(tenant: TenantConfig, timeout: float, run: RunContext) -> Outcome:
    """Log in and read the root analytic plans: reachable, credentials valid, plans there."""
    sync_log = BufferedSyncLog(tenant.tenant_id, run)
    probe = Probe(tenant.odoo_conn_id, timeout)
    hook = OdooHook(tenant.odoo_conn_id, tenant_id=tenant.tenant_id, sync_log=sync_log, client_factory=probe.client)
    ts, started = datetime.now(UTC), time.perf_counter()
    try:
        roots = hook.root_plans()
        ok, error_class, error = True, None, None
        warnings = missing_plans(tenant, roots) + transport_warnings(hook.seen_version, api_of(hook))
    except Exception as exc:
        error_class, ok, warnings = failure_class(exc), False, []
        error = scrub_text(str(exc), [probe.secret])
    result = PingResult(
        tenant.tenant_id,
        ts,
        ok,
        round((time.perf_counter() - started) * 1000, 3),
        error_class,
        error,
        (hook.seen_version or {}).get("server_version"),
        tuple(warnings),
        probe.api_key_expires,
    )
    return Outcome(result, sync_log.rows)


def ping_all(
    tenants: Sequence[TenantConfig],
    timeout: float,
    concurrency: int,
    run: RunContext,
    ping: Callable[[TenantConfig, float, RunContext], Outcome] = ping_tenant,
) -> list[Outcome]:
    """Ping all tenants concurrently; a ping still running after its whole budget counts as a timeout."""
    if not tenants:
        return []
    budget = timeout * CALLS_PER_PING + 5.0
    pool = ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(tenants))), thread_name_prefix="ping")
    started = datetime.now(UTC)
    futures: dict[Future[Outcome], TenantConfig] = {pool.submit(ping, t, timeout, run): t for t in tenants}
    waves = math.ceil(len(tenants) / max(concurrency, 1))
    done, _ = wait(futures, timeout=waves * budget)
    pool.shutdown(wait=False, cancel_futures=True)
    return [_collect(f, futures[f], f in done, started, budget) for f in futures]


def _collect(future: Future[Outcome], tenant: TenantConfig, done: bool, started: datetime, budget: float) -> Outcome:
    if done and future.exception() is None:
        return future.result()
    error = f"no answer within {budget:.0f} s" if not done else f"ping crashed: {future.exception()!r}"
    return Outcome(
        PingResult(
            tenant.tenant_id,
            started,
            False,
            budget * 1000,
            ErrorClass.TIMEOUT if not done else ErrorClass.UNEXPECTED,
            scrub_text(error),
        )
    )


def missing_plans(tenant: TenantConfig, roots: dict[str, int]) -> list[str]:
    """Configured root plans that Odoo does not have (only a warning: syncing needs them, pinging not)."""
    if tenant.create_plans:
        return []
    return [
        f"analytic plan {name!r} is missing in Odoo (create it, or set create_plans: true)"
        for name in plans.missing_plans(tenant, roots).values()
    ]


def failure_class(exc: BaseException) -> ErrorClass:
    """The error class the health table and the runbook use (auth, connection, timeout, http, version...)."""
    if isinstance(exc, OdooSyncError):  # the hook's errors carry their class
        return exc.error_class
    if isinstance(exc, AirflowNotFoundException):  # the tenant's Airflow connection does not exist
        return ErrorClass.CONFIG
    return classify(exc).error_class


def _parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        log.warning("connection extra api_key_expires=%r is not YYYY-MM-DD; ignored", value)
        return None
