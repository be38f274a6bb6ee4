"""Task bodies of the odoo_health DAG: ping everyone, then evaluate, record and page."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from odoo_sync import metrics
from odoo_sync.config import TenantConfig, load_tenants
from odoo_sync.health import alerts
from odoo_sync.health.freshness import Freshness, airflow_view, freshness
from odoo_sync.health.incidents import decide
from odoo_sync.health.pinger import ping_all
from odoo_sync.health.settings import HealthSettings, load_settings
from odoo_sync.health.state import evaluate
from odoo_sync.store import db, sync_runs
from odoo_sync.store import health as health_store
from odoo_sync.store.health import Health, History, State
from odoo_sync.store.incidents import Incident
from odoo_sync.store.sync_log import SyncLog
from odoo_sync.sync.runtime import run_context

log = logging.getLogger(__name__)
HEALTH_LOG_TENANT = "health"  # placeholder tenant of the SyncLog that writes every tenant's buffered rows


def ping_tenants(context: dict[str, Any] | None = None) -> str:
    """Ping every configured tenant, store the pings and their sync_log rows; return the finish time (ISO)."""
    settings, tenants = load_settings(), load_tenants().tenants
    run = run_context(context)
    started = datetime.now(UTC)
    outcomes = ping_all(tenants, settings.ping_timeout_s, settings.concurrency, run)
    with db.connect() as conn:
        health_store.insert_pings(conn, [o.result for o in outcomes], run.run_id)
        SyncLog(conn, HEALTH_LOG_TENANT, run).write_rows([row for o in outcomes for row in o.log_rows])
    checked_at = datetime.now(UTC)
    failed = sum(not o.result.ok for o in outcomes)
    log.info(
        "Pinged %s tenants in %.1f s: %s failed",
        len(outcomes),
        (checked_at - started).total_seconds(),
        failed,
    )
    return checked_at.isoformat()


def evaluate_and_alert(checked_at: str, settings: HealthSettings | None = None) -> dict[str, int]:
    """Green/amber/red per tenant as of the pings' time; open, page, resolve incidents, each at most once."""
    settings = settings or load_settings()
    tenants = {t.tenant_id: t for t in load_tenants().tenants}
    now = datetime.fromisoformat(checked_at)
    with db.connect() as conn:
        histories = health_store.load_histories(conn, list(tenants), now)
        syncs = _freshness(conn, tenants, now, settings)
        healths = [evaluate(tid, histories.get(tid, History()), now, settings, syncs[tid]) for tid in tenants]
        health_store.save_states(conn, healths, now)
        health_store.prune_pings(conn, now - timedelta(days=settings.ping_retention_days))
        incidents = health_store.open_incidents(conn)
        failures = [e for h in healths if (e := _act(conn, h, incidents.get(h.tenant_id), now, settings, tenants))]
    metrics.health([(h.tenant_id, h.state.value, h.last.latency_ms if h.last else None) for h in healths])
    counts = dict(Counter(h.state.value for h in healths))
    log.info("Health as of %s: %s", checked_at, counts)
    if failures:
        raise RuntimeError("could not send some health mails (will retry): " + "; ".join(failures))
    return counts


def _freshness(
    conn: psycopg.Connection, tenants: dict[str, TenantConfig], now: datetime, settings: HealthSettings
) -> dict[str, Freshness]:
    """Each tenant's last successful sync against its schedule, with what Airflow says about its DAG."""
    runs = sync_runs.load(conn, list(tenants))
    return {tid: freshness(t, runs.get(tid), now, settings, airflow_view(t.dag_id)) for tid, t in tenants.items()}


def _act(
    conn: psycopg.Connection,
    health: Health,
    incident: Incident | None,
    now: datetime,
    settings: HealthSettings,
    tenants: dict[str, TenantConfig],
) -> str | None:
    """Carry out one tenant's decision; return an error text if a mail could not be sent."""
    decision = decide(health, incident, now, settings)
    error = _error(health)
    if decision.open:
        assert health.since is not None
        incident = health_store.open_incident(conn, health.tenant_id, health.since, error)
    elif incident is not None and health.state is State.RED and error != incident.last_error:
        health_store.note_error(conn, incident, error)
    if incident is None or decision.nothing:
        return None
    name = tenants[health.tenant_id].display_name if health.tenant_id in tenants else ""
    try:
        if decision.alert:
            _page(conn, health, incident, now, settings, name)
        if decision.resolve:
            _resolve(conn, health, incident, now, settings, name)
    except Exception as exc:  # one tenant's failed mail must not stop the others
        conn.rollback()
        log.exception("tenant %s: health mail failed", health.tenant_id)
        return f"{health.tenant_id}: {type(exc).__name__}: {exc}"
    return None


def _error(health: Health) -> str | None:
    """What the incident names: the failed ping's error, else (a red sync with good pings) the first reason."""
    if health.failed_ping is not None:
        return health.failed_ping.error
    return health.reasons[0] if health.state is State.RED and health.reasons else None


def _page(
    conn: psycopg.Connection,
    health: Health,
    incident: Incident,
    now: datetime,
    settings: HealthSettings,
    name: str,
) -> None:
    """Page once: a second run waits on the row lock and then finds it already paged."""
    mail = alerts.alert_mail(health, incident, now, settings, name)
    health_store.INCIDENTS.page(
        conn, incident.id, now, lambda: alerts.send(mail, settings, "health_alert", health.tenant_id)
    )


def _resolve(
    conn: psycopg.Connection,
    health: Health,
    incident: Incident,
    now: datetime,
    settings: HealthSettings,
    name: str,
) -> None:
    def all_clear(resolved: Incident) -> bool:
        mail = alerts.recovery_mail(health, resolved, now, settings, name)
        return alerts.send(mail, settings, "health_recovery", health.tenant_id)

    health_store.INCIDENTS.resolve(conn, incident.id, now, all_clear)
