"""Persistent drift pages on-call once per episode, like red health; a clean check sends the all-clear."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import psycopg

from odoo_sync.config import tenant_by_id
from odoo_sync.drift.report import DRIFT, ERROR
from odoo_sync.health import alerts
from odoo_sync.health.incidents import Decision
from odoo_sync.health.settings import HealthSettings, load_settings
from odoo_sync.store import db
from odoo_sync.store import drift as drift_store
from odoo_sync.store.incidents import Incident

log = logging.getLogger(__name__)
RUNBOOK_ANCHOR = "drift-odoo-changed-by-hand"


def decide(state: str, incident: Incident | None, now: datetime, settings: HealthSettings) -> Decision:
    """Drift opens an episode and pages once it has lasted ``drift_alert_after``; a check without drift ends it."""
    if state == DRIFT:
        since = incident.failing_since if incident else now
        due = now - since >= settings.drift_alert_after
        return Decision(open=incident is None, alert=due and (incident is None or incident.alerted_at is None))
    if state != ERROR and incident is not None:  # a failed check says nothing either way
        return Decision(resolve=True)
    return Decision()


def notify(tenant_id: str, settings: HealthSettings | None = None) -> str:
    """Act on the tenant's latest check: open, page, resolve the drift incident, each at most once."""
    settings = settings or load_settings()
    with db.connect() as conn:
        latest = drift_store.latest_check(conn, tenant_id)
        if latest is None:
            return "no check recorded"
        state, checked_at, findings = latest
        incident = drift_store.open_incident(conn, tenant_id)
        decision = decide(state, incident, checked_at, settings)
        if decision.open:
            incident = drift_store.start_incident(conn, tenant_id, checked_at, findings.get("summary", ""))
        if incident is None:
            return state
        if decision.alert:
            _page(conn, tenant_id, incident, checked_at, findings, settings)
        if decision.resolve:
            _resolve(conn, tenant_id, incident, checked_at, findings, settings)
    return state


def _page(
    conn: psycopg.Connection,
    tenant_id: str,
    incident: Incident,
    now: datetime,
    findings: dict[str, Any],
    settings: HealthSettings,
) -> None:
    """Page once: a retried task finds the incident already paged."""
    mail = alert_mail(tenant_id, incident, now, findings, settings)
    drift_store.INCIDENTS.page(conn, incident.id, now, lambda: alerts.send(mail, settings, "drift", tenant_id))


def _resolve(
    conn: psycopg.Connection,
    tenant_id: str,
    incident: Incident,
    now: datetime,
    findings: dict[str, Any],
    settings: HealthSettings,
) -> None:
    def all_clear(resolved: Incident) -> bool:
        return alerts.send(recovery_mail(tenant_id, resolved, now, settings), settings, "drift_recovery", tenant_id)

    drift_store.INCIDENTS.resolve(conn, incident.id, now, all_clear)


def alert_mail(
    tenant_id: str, incident: Incident, now: datetime, findings: dict[str, Any], settings: HealthSettings
) -> alerts.Mail:
    summary = str(findings.get("summary", ""))
    hours = int((now - incident.failing_since).total_seconds() // 3600)
    html = alerts.render(
        "drift_alert.html",
        tenant_id=tenant_id,
        display_name=_name(tenant_id),
        since=_fmt(incident.failing_since),
        hours=hours,
        summary=summary,
        totals=[t for t in findings.get("totals", []) if t.get("cause") == "hand"][:50],
        missing=findings.get("missing", [])[:50],
        runbook_link=f"{settings.runbook_url}#{RUNBOOK_ANCHOR}",
        dashboard_url=settings.dashboard_url,
    )
    return alerts.Mail(f"[odoo-sync] DRIFT {tenant_id}: {summary}", html)


def recovery_mail(tenant_id: str, incident: Incident, now: datetime, settings: HealthSettings) -> alerts.Mail:
    hours = int((now - incident.failing_since).total_seconds() // 3600)
    html = alerts.render(
        "drift_recovery.html",
        tenant_id=tenant_id,
        display_name=_name(tenant_id),
        since=_fmt(incident.failing_since),
        resolved=_fmt(now),
        hours=hours,
        summary=incident.last_error,
        dashboard_url=settings.dashboard_url,
    )
    return alerts.Mail(f"[odoo-sync] DRIFT RESOLVED {tenant_id} after {hours} h", html)


def _name(tenant_id: str) -> str:
    try:
        return tenant_by_id(tenant_id).display_name
    except Exception:  # a tenant removed from the file since: its id is enough
        return ""


def _fmt(ts: datetime) -> str:
    return f"{ts.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
