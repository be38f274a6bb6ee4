"""The notices on-call gets (rendered escaped), sent through the configured Airflow notifiers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, select_autoescape

from odoo_sync.errors import ErrorClass
from odoo_sync.health.settings import HealthSettings
from odoo_sync.store.health import Health, Ping
from odoo_sync.store.incidents import Incident

log = logging.getLogger(__name__)

UNREACHABLE_CHAPTER = ("connection-timeout-http-odoo-down-or-unreachable", "Odoo down or unreachable")
# error class -> (anchor of its chapter in odoo_sync/runbook/integration-health.md, title); classes not here (server,
# validation, setup, refused, unexpected) get DEFAULT_CHAPTER. A test checks the anchors.
RUNBOOK: dict[ErrorClass, tuple[str, str]] = {
    ErrorClass.AUTH: ("auth-wrong-login-password-or-api-key", "wrong login, password or API key"),
    ErrorClass.CONNECTION: UNREACHABLE_CHAPTER,
    ErrorClass.TIMEOUT: UNREACHABLE_CHAPTER,
    ErrorClass.HTTP: UNREACHABLE_CHAPTER,
    ErrorClass.RATE_LIMITED: UNREACHABLE_CHAPTER,
    ErrorClass.VERSION: ("version-odoo-too-old", "Odoo too old"),
    ErrorClass.ACCESS: ("access-analytic-accounting-off-or-user-lacks-rights", "analytic accounting off"),
    ErrorClass.CONFIG: ("config-connection-missing-or-misassigned", "connection missing or misassigned"),
    ErrorClass.TLS: ("tls-certificate-rejected", "TLS certificate rejected"),
}
DEFAULT_CHAPTER = ("other-errors", "other errors")
MONITOR_CHAPTER = ("the-monitor-itself-stalled", "the monitor itself stalled")


@dataclass(frozen=True, slots=True)
class Mail:
    subject: str
    html: str


def _env() -> Environment:
    # The templates ship inside the package (odoo_sync/health/mail/), found wherever it is installed.
    return Environment(loader=PackageLoader("odoo_sync.health", "mail"), autoescape=select_autoescape(default=True))


def render(template: str, **values: object) -> str:
    """An escaped mail body from odoo_sync/health/mail/<template>."""
    return _env().get_template(template).render(**values)


def runbook_chapter(error_class: str | None) -> tuple[str, str]:
    """The runbook chapter (heading anchor, title) for an error class as stored (an ErrorClass value)."""
    try:
        return RUNBOOK.get(ErrorClass(error_class or ""), DEFAULT_CHAPTER)
    except ValueError:  # no class, or one this version does not know
        return DEFAULT_CHAPTER


def runbook_anchor(error_class: str | None) -> str:
    """The runbook chapter (heading anchor) for an error class."""
    return runbook_chapter(error_class)[0]


def runbook_link(settings: HealthSettings, error_class: str | None) -> tuple[str, str]:
    anchor, title = runbook_chapter(error_class)
    return f"{settings.runbook_url}#{anchor}", title


def alert_mail(health: Health, incident: Incident, now: datetime, settings: HealthSettings, name: str = "") -> Mail:
    """The page: tenant, since when, last error, last good ping, runbook chapter."""
    last, good, failed = health.last, health.last_ok, health.failed_ping
    error_class = last.error_class if last else None
    link, title = runbook_link(settings, error_class)
    minutes = int((now - incident.failing_since).total_seconds() // 60)
    html = (
        _env()
        .get_template("health_alert.html")
        .render(
            tenant_id=health.tenant_id,
            display_name=name,
            since=_fmt(incident.failing_since),
            red_minutes=minutes,
            failures=health.failures,
            error_class=error_class,
            last_error=(failed.error if failed else None) or "; ".join(health.reasons) or None,
            last_good=_good(good),
            runbook_link=link,
            runbook_title=title,
            dashboard_url=settings.dashboard_url,
        )
    )
    what = error_class if failed is not None else "sync stale"  # good pings: the sync stopped
    subject = f"[odoo-sync] RED {health.tenant_id}: failing for {minutes} min ({what or 'error'})"
    return Mail(subject, html)


def recovery_mail(health: Health, incident: Incident, now: datetime, settings: HealthSettings, name: str = "") -> Mail:
    """The all-clear after an alert."""
    recovered = health.last.ts if health.last else now
    minutes = int((recovered - incident.failing_since).total_seconds() // 60)
    html = (
        _env()
        .get_template("health_recovery.html")
        .render(
            tenant_id=health.tenant_id,
            display_name=name,
            since=_fmt(incident.failing_since),
            recovered=_fmt(recovered),
            down_minutes=minutes,
            state=health.state.value,
            reasons=health.reasons,
            last_error=incident.last_error,
            dashboard_url=settings.dashboard_url,
        )
    )
    return Mail(f"[odoo-sync] RECOVERED {health.tenant_id} after {minutes} min", html)


def overdue_mail(dag_id: str, run_id: str, deadline: str, settings: HealthSettings) -> Mail:
    """The Deadline Alert's mail: the health run itself did not finish in time."""
    anchor, _ = MONITOR_CHAPTER
    html = (
        _env()
        .get_template("health_run_overdue.html")
        .render(
            dag_id=dag_id,
            run_id=run_id,
            deadline=deadline,
            budget_minutes=f"{settings.run_budget_minutes:g}",
            runbook_link=f"{settings.runbook_url}#{anchor}",
            dashboard_url=settings.dashboard_url,
        )
    )
    return Mail(f"[odoo-sync] health monitor stalled: {dag_id} run {run_id} missed its deadline", html)


def send(mail: Mail, settings: HealthSettings, kind: str = "health_alert", tenant_id: str | None = None) -> bool:
    """Deliver through the configured notifiers (``notifiers``: SMTP by default); False if none took it
    because none is usable (e.g. SMTP alone and nobody on call). A failure of every channel raises."""
    return bool(deliver(mail, settings, kind, tenant_id))


def deliver(mail: Mail, settings: HealthSettings, kind: str, tenant_id: str | None = None) -> list[str]:
    """The channels that took the mail (the one way every notice leaves: SMTP and the other notifiers)."""
    from odoo_sync.health import notify

    notice = notify.Notice(kind, mail.subject, mail.html, tenant_id)
    smtp = {"from_email": settings.from_email, "smtp_conn_id": settings.smtp_conn_id}
    return notify.deliver(notice, settings.notifiers, settings.on_call, smtp)


def _fmt(ts: datetime) -> str:
    return f"{ts.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _good(ping: Ping | None) -> str | None:
    if ping is None:
        return None
    return f"{_fmt(ping.ts)} (Odoo {ping.server_version or '?'}, {ping.latency_ms or 0:,.0f} ms)"
