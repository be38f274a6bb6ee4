"""Deliver on-call notices (health alerts, recoveries, drift) through the Airflow notifiers chosen in settings.

``notifiers`` (``ODOO_SYNC_HEALTH_NOTIFIERS``, comma-separated, or a list in the ``health:`` section) names
each channel:

- ``smtp``: mail to ``on_call`` through the SMTP provider's ``SmtpNotifier`` and ``smtp_conn_id`` (the default);
- ``webhook:<conn_id>``: a JSON POST to the URL of an Airflow connection (``WebhookNotifier`` below);
- ``slack:<conn_id>``: the Slack provider's ``SlackWebhookNotifier`` (``apache-airflow-providers-slack``);
- ``class:<module.Class>``: any Airflow notifier, built with ``subject``, ``text`` and ``html`` keyword
  arguments (e.g. a deployment's own subclass of the provider it uses).

Every channel gets every notice. A notice counts as delivered when one channel took it (the others' failures are
logged): paging twice is worse than one channel missing one notice. None delivered raises the first error.
"""

from __future__ import annotations

import html
import importlib
import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from airflow.sdk import BaseNotifier

from odoo_sync.health.settings import NOTIFIER_KINDS

log = logging.getLogger(__name__)
KINDS = NOTIFIER_KINDS
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Notice:
    """What on-call is told: ``kind`` is health_alert, health_recovery, health_overdue, drift or drift_recovery."""

    kind: str
    subject: str
    html: str
    tenant_id: str | None = None

    @property
    def text(self) -> str:
        """The body as plain text (chat channels and webhooks)."""
        body = _TAG.sub(" ", re.sub(r"</(p|tr|li|h\d)>", "\n", self.html))
        lines = (" ".join(line.split()) for line in html.unescape(body).splitlines())
        return "\n".join(line for line in lines if line)


class WebhookNotifier(BaseNotifier):
    """POST a notice as JSON to the URL of an Airflow connection (host with scheme, or schema://host:port).

    The connection's password, if any, is sent as ``Authorization: Bearer``; extra ``headers`` are added; extra
    ``timeout`` (seconds, default 10). A status of 300 or more is a failure.
    """

    template_fields = ()

    def __init__(self, conn_id: str, payload: dict[str, Any]) -> None:
        super().__init__()
        self.conn_id, self.payload = conn_id, payload

    def notify(self, context: Any) -> None:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(self.conn_id)
        extra = conn.extra_dejson
        headers = {"User-Agent": "togrant-odoo-sync", **(extra.get("headers") or {})}
        if conn.password:
            headers["Authorization"] = f"Bearer {conn.password}"
        with httpx.Client(timeout=float(extra.get("timeout") or 10), trust_env=False) as client:
            response = client.post(_url(conn), json=self.payload, headers=headers)
        if response.status_code >= 300:
            raise RuntimeError(f"webhook {self.conn_id!r} answered HTTP {response.status_code}")


def _url(conn: Any) -> str:
    host = str(conn.host or "")
    if "://" in host:
        return host
    port = f":{conn.port}" if conn.port else ""
    return f"{conn.schema or 'https'}://{host}{port}"


def deliver(notice: Notice, channels: Sequence[str], on_call: Sequence[str], smtp: dict[str, str]) -> list[str]:
    """Send through every channel; return the channels that took it (raise if none did)."""
    delivered, errors = [], []
    for spec in channels:
        try:
            notifier = build(spec, notice, on_call, smtp)
            if notifier is None:
                continue
            notifier.notify({})  # not notifier(context): that would run texts from Odoo through Jinja
            delivered.append(spec)
        except Exception as exc:
            log.exception("Notice %r not delivered through %s", notice.subject, spec)
            errors.append(exc)
    if errors and not delivered:
        raise errors[0]
    if delivered:
        log.info("Delivered through %s: %s", ", ".join(delivered), notice.subject)
    return delivered


def build(spec: str, notice: Notice, on_call: Sequence[str], smtp: dict[str, str]) -> BaseNotifier | None:
    """The notifier of one channel spec (None: smtp without on-call addresses)."""
    kind, _, arg = spec.strip().partition(":")
    if kind == "smtp":
        return _smtp(notice, on_call, smtp)
    if kind == "webhook":
        return WebhookNotifier(_required(spec, arg), payload(notice))
    if kind == "slack":
        module = importlib.import_module("airflow.providers.slack.notifications.slack_webhook")
        return module.SlackWebhookNotifier(slack_webhook_conn_id=_required(spec, arg), text=notice.text)  # type: ignore[no-any-return]
    if kind == "class":
        path, _, name = _required(spec, arg).rpartition(".")
        cls = getattr(importlib.import_module(path), name)
        return cls(subject=notice.subject, text=notice.text, html=notice.html)  # type: ignore[no-any-return]
    raise ValueError(f"unknown notifier {spec!r}: use {', '.join(KINDS)} (e.g. webhook:<conn_id>)")


def payload(notice: Notice) -> dict[str, Any]:
    """The webhook's JSON body."""
    return {**asdict(notice), "text": notice.text, "source": "togrant-odoo-sync"}


def _smtp(notice: Notice, on_call: Sequence[str], smtp: dict[str, str]) -> BaseNotifier | None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    if not on_call:
        log.error("No on-call address configured (ODOO_SYNC_HEALTH_ON_CALL): not mailed: %s", notice.subject)
        return None
    return SmtpNotifier(
        to=list(on_call),
        from_email=smtp["from_email"],
        subject=notice.subject,
        html_content=notice.html,
        smtp_conn_id=smtp["smtp_conn_id"],
    )


def _required(spec: str, arg: str) -> str:
    if not arg.strip():
        raise ValueError(f"notifier {spec!r} needs a value after the colon (a connection id or a class path)")
    return arg.strip()
