"""Health sees the sync, not only the ping: a tenant whose Odoo answers every ping but whose sync has not
succeeded for a multiple of its schedule turns amber, then red, pages once with the cause, and recovers.

Real PostgreSQL and a loopback SMTP server; the sync's runs are recorded as the tenant DAG records them
(``store.sync_runs``), the clock is the health run's. acme syncs hourly: amber after 3 h, red after 6 h.
"""

from __future__ import annotations

from datetime import timedelta

import psycopg

from odoo_sync.store import sync_runs
from tests.integration import test_health_alerts
from tests.integration.test_health_alerts import T0, Clock, Sink, incidents

smtp_sink, health_db, tenants_file = (
    test_health_alerts.smtp_sink,
    test_health_alerts.health_db,
    test_health_alerts.tenants_file,
)


def reasons(db: psycopg.Connection) -> list[str]:
    row = db.execute("SELECT reasons FROM odoo_sync.health_state WHERE tenant_id = 'acme'").fetchone()
    db.commit()
    assert row is not None
    return list(row[0])


def test_a_stalled_sync_turns_amber_then_red_pages_once_and_recovers(
    health_db: psycopg.Connection, smtp_sink: Sink, tenants_file: object
) -> None:
    clock = Clock(health_db)
    sync_runs.record_success(health_db, "acme", "scheduled__a", T0 - timedelta(hours=2))
    assert clock.ping(0) == {"green": 1}
    clock.ping(65)  # 3 h 05 since the last success
    assert clock.state()[0] == "amber"
    assert reasons(health_db)[0].startswith("no successful sync since 2026-11-23 08:00 UTC (3.1 h; amber after 3.0 h)")
    assert "no run of odoo_sync__acme has started" in reasons(health_db)[0]
    sync_runs.record_start(health_db, "acme", "scheduled__stuck", T0 + timedelta(minutes=70))
    clock.ping(245)  # 6 h 05: red since 6 h after the success, although every ping succeeds
    assert clock.state() == ("red", T0 + timedelta(minutes=240))
    assert "the run scheduled__stuck started at 2026-11-23 11:10 UTC has not finished" in reasons(health_db)[0]
    clock.ping(250)
    assert smtp_sink.messages == []
    clock.ping(255)  # red for 15 minutes: paged, like an unreachable Odoo
    assert smtp_sink.subjects() == ["[odoo-sync] RED acme: failing for 15 min (sync stale)"]
    assert "scheduled__stuck" in smtp_sink.html(0)
    clock.ping(260)
    assert len(smtp_sink.messages) == 1
    sync_runs.record_success(health_db, "acme", "scheduled__stuck", T0 + timedelta(minutes=262))
    clock.ping(265)
    assert clock.state()[0] == "green"
    assert smtp_sink.subjects()[1] == "[odoo-sync] RECOVERED acme after 25 min"
    assert incidents(health_db) == [(T0 + timedelta(minutes=240), True, True, True)]


def test_a_tenant_that_never_ran_is_not_rated_on_its_sync(
    health_db: psycopg.Connection, smtp_sink: Sink, tenants_file: object
) -> None:
    clock = Clock(health_db)
    assert clock.ping(0) == {"green": 1}
    assert clock.ping(24 * 60) == {"green": 1}
