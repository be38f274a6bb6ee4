"""A tenant walked through green -> amber -> red -> alert -> green -> recovery on a fake clock.

Real PostgreSQL, real SMTP (aiosmtpd on loopback) through the Airflow SMTP provider's notifier.
"""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller

from odoo_sync.health import monitor
from odoo_sync.health.pinger import PingResult
from odoo_sync.health.settings import HealthSettings
from odoo_sync.store import health as health_store
from tests.conftest import set_airflow_conn

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ON_CALL = ("oncall@togrant.test", "lead@togrant.test")


@dataclass
class Sink:
    """Mails received by the loopback SMTP server."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        msg = email.message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        msg["X-Rcpt"] = ", ".join(envelope.rcpt_tos)  # type: ignore[attr-defined]
        self.messages.append(msg)
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def html(self, index: int) -> str:
        msg = self.messages[index]
        part = next(p for p in msg.walk() if p.get_content_type() == "text/html")
        return part.get_payload(decode=True).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_sink() -> Iterator[Sink]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    set_airflow_conn(
        "smtp_default",
        conn_type="smtp",
        host="127.0.0.1",
        port=port,
        extra={"disable_ssl": True, "disable_tls": True, "retry_limit": 0, "timeout": 5},
    )
    yield sink
    controller.stop()


@pytest.fixture
def health_db(db: psycopg.Connection) -> psycopg.Connection:
    db.execute("TRUNCATE odoo_sync.health_state")
    db.commit()
    return db


@pytest.fixture
def tenants_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tenants.yaml"
    path.write_text("tenants:\n  - {tenant_id: acme, display_name: ACME <Civic> Voices}\n")
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(path))
    return path


SETTINGS = HealthSettings(
    on_call=ON_CALL,
    from_email="odoo-sync@togrant.test",
    runbook_url="https://airflow.togrant.test/odoo-health/runbook",
)


class Clock:
    """The fake clock: every 5 minutes a ping is recorded, then the health run evaluates at that time."""

    def __init__(self, db: psycopg.Connection) -> None:
        self.db, self.minute = db, 0

    def ping(
        self,
        minute: int,
        ok: bool = True,
        latency: float = 40.0,
        error: str = "ConnectionRefusedError: [Errno 111] Connection refused",
    ) -> dict[str, int]:
        ts = T0 + timedelta(minutes=minute)
        result = PingResult(
            "acme",
            ts,
            ok,
            latency if ok else 2.0,
            None if ok else "connection",
            None if ok else error,
            "17.0" if ok else None,
        )
        health_store.insert_pings(self.db, [result], f"scheduled__{ts.isoformat()}")
        return monitor.evaluate_and_alert((ts + timedelta(seconds=3)).isoformat(), SETTINGS)

    def state(self) -> tuple[str, datetime | None]:
        row = self.db.execute(
            "SELECT state, since FROM odoo_sync.health_state WHERE tenant_id = 'acme'"
        ).fetchone()
        self.db.commit()
        assert row is not None
        return row[0], row[1]


def incidents(db: psycopg.Connection) -> list[tuple]:
    rows = db.execute(
        "SELECT failing_since, alerted_at IS NOT NULL, resolved_at IS NOT NULL,"
        " recovery_sent_at IS NOT NULL FROM odoo_sync.health_incident ORDER BY id"
    ).fetchall()
    db.commit()
    return rows


def test_green_amber_red_alert_green_recovery_one_mail_each(health_db, smtp_sink: Sink, tenants_file) -> None:
    clock = Clock(health_db)
    assert clock.ping(0) == {"green": 1} and clock.state() == ("green", T0)
    clock.ping(5, latency=3200)
    assert clock.state()[0] == "amber"  # slow
    clock.ping(10, ok=False)
    assert clock.state() == ("amber", T0 + timedelta(minutes=10))  # one failure does not flap to red
    clock.ping(15, ok=False)
    assert clock.state() == ("red", T0 + timedelta(minutes=10))
    assert incidents(health_db) == [(T0 + timedelta(minutes=10), False, False, False)]
    clock.ping(20, ok=False)
    assert smtp_sink.messages == []  # red for 10 minutes: not yet
    clock.ping(25, ok=False)  # red since minute 10: 15 minutes, page
    assert smtp_sink.subjects() == ["[odoo-sync] RED acme: failing for 15 min (connection)"]
    clock.ping(30, ok=False)
    clock.ping(35, ok=False)
    assert len(smtp_sink.messages) == 1  # once per incident
    clock.ping(40)
    assert clock.state() == ("green", T0 + timedelta(minutes=40))
    assert smtp_sink.subjects()[1] == "[odoo-sync] RECOVERED acme after 30 min"
    clock.ping(45)
    assert len(smtp_sink.messages) == 2
    assert incidents(health_db) == [(T0 + timedelta(minutes=10), True, True, True)]


def test_the_alert_says_who_since_when_what_and_where_to_look(
    health_db, smtp_sink: Sink, tenants_file
) -> None:
    clock = Clock(health_db)
    clock.ping(0)
    for minute in (5, 10, 15, 20):
        clock.ping(minute, ok=False, error="Fault 3: Access Denied <script>x</script> password=hunter2")
    (alert,) = smtp_sink.messages
    assert alert["X-Rcpt"] == ", ".join(ON_CALL)
    html = smtp_sink.html(0)
    assert "acme" in html and "ACME &lt;Civic&gt; Voices" in html
    assert "2026-11-23 10:05 UTC" in html  # failing since
    assert "2026-11-23 10:00 UTC (Odoo 17.0" in html  # last good ping
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert (
        "https://airflow.togrant.test/odoo-health/runbook#connection-timeout-http-odoo-down-or-unreachable"
        in html
    )


def test_a_retried_or_doubled_run_never_mails_twice(health_db, smtp_sink: Sink, tenants_file) -> None:
    clock = Clock(health_db)
    for minute in (0, 5, 10, 15, 20):
        clock.ping(minute, ok=minute == 0)
    checked_at = (T0 + timedelta(minutes=20, seconds=3)).isoformat()
    monitor.evaluate_and_alert(checked_at, SETTINGS)  # the same run, retried
    monitor.evaluate_and_alert(checked_at, SETTINGS)
    assert len(smtp_sink.messages) == 1
    clock.ping(25)
    monitor.evaluate_and_alert((T0 + timedelta(minutes=25, seconds=3)).isoformat(), SETTINGS)
    assert len(smtp_sink.messages) == 2 and len(incidents(health_db)) == 1


def test_missed_runs_do_not_hide_an_incident(health_db, smtp_sink: Sink, tenants_file) -> None:
    clock = Clock(health_db)
    clock.ping(0)
    clock.ping(5, ok=False)
    # The health DAG did not run for 40 minutes; its next ping fails again: red since minute 5, page now.
    clock.ping(45, ok=False)
    assert clock.state() == ("red", T0 + timedelta(minutes=5))
    assert smtp_sink.subjects() == ["[odoo-sync] RED acme: failing for 40 min (connection)"]


def test_an_incident_that_ends_before_the_page_sends_nothing(
    health_db, smtp_sink: Sink, tenants_file
) -> None:
    clock = Clock(health_db)
    for minute, ok in ((0, True), (5, False), (10, False), (15, True)):
        clock.ping(minute, ok=ok)
    assert smtp_sink.messages == []
    assert incidents(health_db) == [(T0 + timedelta(minutes=5), False, True, False)]


def test_smtp_down_fails_the_run_and_the_retry_pages(health_db, tenants_file) -> None:
    clock = Clock(health_db)
    set_airflow_conn(
        "smtp_default",
        conn_type="smtp",
        host="127.0.0.1",
        port=free_port(),
        extra={"disable_ssl": True, "disable_tls": True, "retry_limit": 0, "timeout": 2},
    )
    for minute in (0, 5, 10, 15):
        clock.ping(minute, ok=minute == 0)
    with pytest.raises(RuntimeError, match="could not send some health mails"):
        clock.ping(20, ok=False)
    assert incidents(health_db)[0][1] is False  # not marked paged: the retry will page


def test_old_pings_are_pruned(health_db, smtp_sink: Sink, tenants_file) -> None:
    old = PingResult("acme", T0 - timedelta(days=40), True, 30.0, server_version="17.0")
    health_store.insert_pings(health_db, [old], "long ago")
    Clock(health_db).ping(0)
    rows = health_db.execute("SELECT run_id FROM odoo_sync.health_ping").fetchall()
    health_db.commit()
    assert rows == [(f"scheduled__{T0.isoformat()}",)]
