"""Health alerts, recoveries, drift and the stalled-monitor notice through several notifiers at once: mail to a
loopback SMTP server and JSON to a loopback webhook, plus any notifier class named in settings."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
from airflow.sdk import BaseNotifier

from odoo_sync.drift import alerting
from odoo_sync.health import monitor, notify
from odoo_sync.health.deadline import notify_health_run_overdue
from odoo_sync.health.pinger import PingResult
from odoo_sync.health.settings import HealthSettings
from odoo_sync.store import health as health_store
from tests.conftest import set_airflow_conn
from tests.integration import test_health_alerts
from tests.integration.test_health_alerts import Sink

pytestmark = pytest.mark.integration
smtp_sink = test_health_alerts.smtp_sink  # the loopback SMTP server fixture
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
RECEIVED: list[dict[str, Any]] = []  # what ListNotifier got


class ListNotifier(BaseNotifier):
    """A deployment's own notifier, named in settings as ``class:<path>``."""

    def __init__(self, subject: str, text: str, html: str) -> None:
        super().__init__()
        self.subject, self.text = subject, text

    def notify(self, context: Any) -> None:
        RECEIVED.append({"subject": self.subject, "text": self.text})


class Hook:
    """A loopback HTTP server that records JSON posts; ``status`` is what it answers."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.posts.append((dict(self.headers), json.loads(body)))
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/odoo-sync"

    def kinds(self) -> list[str]:
        return [p[1]["kind"] for p in self.posts]


@pytest.fixture
def webhook() -> Iterator[Hook]:
    hook = Hook()
    set_airflow_conn("oncall_webhook", conn_type="http", host=hook.url, password="s3cret-token")
    yield hook
    hook.server.shutdown()


@pytest.fixture
def tenants_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tenants.yaml"
    path.write_text("tenants:\n  - {tenant_id: acme, display_name: ACME}\n")
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(path))
    return path


SETTINGS = HealthSettings(
    on_call=("oncall@togrant.test",),
    notifiers=("smtp", "webhook:oncall_webhook", f"class:{__name__}.ListNotifier"),
)


def ping(db: psycopg.Connection, minute: int, ok: bool) -> None:
    ts = T0 + timedelta(minutes=minute)
    error = None if ok else "ConnectionRefusedError: [Errno 111] Connection refused"
    result = PingResult("acme", ts, ok, 40.0, None if ok else "connection", error, "17.0" if ok else None)
    health_store.insert_pings(db, [result], None)
    monitor.evaluate_and_alert((ts + timedelta(seconds=3)).isoformat(), SETTINGS)


def test_red_alert_and_recovery_reach_mail_webhook_and_a_notifier_class(
    db: psycopg.Connection, smtp_sink: Sink, webhook: Hook, tenants_file: Path
) -> None:
    RECEIVED.clear()
    for minute in range(0, 25, 5):
        ping(db, minute, ok=minute == 0)
    ping(db, 25, ok=True)
    assert [s.split(" ")[1] for s in smtp_sink.subjects()] == ["RED", "RECOVERED"]
    assert webhook.kinds() == ["health_alert", "health_recovery"]
    headers, body = webhook.posts[0]
    assert headers["Authorization"] == "Bearer s3cret-token" and body["tenant_id"] == "acme"
    assert body["subject"] == smtp_sink.subjects()[0] and "Connection refused" in body["text"]
    assert "<" not in body["text"]  # plain text for chat channels; the HTML is in body["html"]
    assert [r["subject"] for r in RECEIVED] == smtp_sink.subjects()


def test_persistent_drift_through_the_webhook_only(db: psycopg.Connection, webhook: Hook, tenants_file: Path) -> None:
    db.execute("TRUNCATE odoo_sync.drift_check, odoo_sync.drift_incident")
    settings = HealthSettings(notifiers=("webhook:oncall_webhook",))  # nobody on the mail list: fine
    for hours in (0, 24):
        db.execute(
            "INSERT INTO odoo_sync.drift_check (tenant_id, checked_at, state, findings) VALUES ('acme', %s, 'drift',"
            ' \'{"summary": "1 record(s) deleted in Odoo"}\')',
            (T0 + timedelta(hours=hours),),
        )
        db.commit()
        alerting.notify("acme", settings)
    assert webhook.kinds() == ["drift"]
    assert webhook.posts[0][1]["subject"] == "[odoo-sync] DRIFT acme: 1 record(s) deleted in Odoo"


def test_the_stalled_monitor_notice_goes_through_every_channel(
    smtp_sink: Sink, webhook: Hook, tenants_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the triggerer has when the callback runs (the DAG's parse saw none of it).
    monkeypatch.setenv("ODOO_SYNC_HEALTH_ON_CALL", ",".join(SETTINGS.on_call))
    monkeypatch.setenv("ODOO_SYNC_HEALTH_NOTIFIERS", ",".join(SETTINGS.notifiers))
    frozen_by_release_0_1 = {"settings": {"on_call": ["stale@togrant.test"], "notifiers": ["smtp"]}}
    context = {"dag_run": {"run_id": "scheduled__x"}}
    result = asyncio.run(notify_health_run_overdue(context=context, **frozen_by_release_0_1))
    assert result.startswith("sent through smtp, webhook:oncall_webhook")
    assert webhook.kinds() == ["health_overdue"] and len(smtp_sink.messages) == 1
    assert smtp_sink.messages[0]["X-Rcpt"] == "oncall@togrant.test"


def test_one_channel_down_does_not_stop_the_others_and_all_down_raises(smtp_sink: Sink, webhook: Hook) -> None:
    webhook.status = 500
    notice = notify.Notice("drift", "[odoo-sync] DRIFT acme: x", "<p>x</p>", "acme")
    smtp = {"from_email": "odoo-sync@localhost", "smtp_conn_id": "smtp_default"}
    channels = ("webhook:oncall_webhook", "smtp")
    assert notify.deliver(notice, channels, ["oncall@togrant.test"], smtp) == ["smtp"]
    with pytest.raises(RuntimeError, match="HTTP 500"):
        notify.deliver(notice, ("webhook:oncall_webhook",), [], smtp)
    with pytest.raises(ValueError, match="unknown notifier"):
        notify.build("pager:x", notice, [], smtp)
