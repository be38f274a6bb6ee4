"""The drift check against the test Odoo: a manual edit, a deletion and an archived account are reported,
read-only; persistent drift pages once; repair is explicit and brings Odoo back to the source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from odoo_sync.drift import alerting, check, repair
from odoo_sync.drift.report import DRIFT, HAND
from odoo_sync.health.settings import HealthSettings
from tests.integration import test_health_alerts
from tests.integration.test_health_alerts import Sink
from tests.scenarios.world import ACCOUNT, LINE, World, seed_source, start_odoo

pytestmark = pytest.mark.integration
MUTATING = ("create", "write", "unlink")
smtp_sink = test_health_alerts.smtp_sink  # the loopback SMTP server fixture
T0 = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
SETTINGS = HealthSettings(on_call=("oncall@togrant.test",), from_email="odoo-sync@togrant.test")


@pytest.fixture
def synced(
    airflow_db: None, db: psycopg.Connection, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    seed_source(db, pg_database)
    db.execute("TRUNCATE odoo_sync.drift_check, odoo_sync.drift_incident")
    db.commit()
    tenants_file = tmp_path / "tenants.yaml"
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(tenants_file))
    server = start_odoo(db)
    world = World(db, server, tenants_file)
    world.configure()
    assert world.run() == "success"
    server.reset_calls()
    yield world
    server.stop()


def hand_edits(world: World) -> dict[str, int]:
    """What finance might do in Odoo: change a line's amount, delete a line, archive a budget-line account."""
    lines = sorted(world.odoo.records(LINE), key=lambda r: r["id"])
    edited, deleted = lines[0], lines[1]
    world.odoo.store.write(LINE, [edited["id"]], {"amount": edited["amount"] - 250.0}, 2)
    world.odoo.store.unlink(LINE, [deleted["id"]], 2)
    account = next(a for a in world.odoo.records(ACCOUNT) if a["code"] == "PRJ-002/2.1")
    world.odoo.store.write(ACCOUNT, [account["id"]], {"active": False}, 2)
    world.odoo.reset_calls()
    return {"edited": edited["id"], "deleted": deleted["id"], "archived": account["id"]}


def mutations(world: World) -> int:
    return sum(world.odoo.count(method=m) for m in MUTATING)


def test_a_synced_tenant_has_no_drift(synced: World) -> None:
    report = check.check_tenant("acme", now=T0)
    assert report.state == "clean", report.summary()
    assert report.accounts == 2 + 4 + 12  # projects, categories and budget lines in use
    assert report.lines_waiting == 0 and not report.missing
    assert mutations(synced) == 0
    assert synced.odoo.count(LINE, "read_group") == 3  # one grouping per plan


def test_a_manual_edit_a_deletion_and_an_archived_account_are_reported(synced: World) -> None:
    ids = hand_edits(synced)
    report = check.check_tenant("acme", now=T0)
    assert report.state == DRIFT
    assert mutations(synced) == 0, "the drift check wrote to Odoo"
    missing = {(m.entity_type, m.odoo_id, m.problem) for m in report.missing}
    assert missing == {("line", ids["deleted"], "deleted"), ("budget_line", ids["archived"], "archived")}
    hand = report.hand_totals
    assert {t.role for t in hand} == {"project", "category", "budget_line"}
    assert all(t.synced == t.source and t.odoo != t.source for t in hand)  # the sync was up to date: by hand
    assert report.lines_waiting == 0
    row = synced.db.execute(
        "SELECT state, totals_drift, missing, findings->>'summary' FROM odoo_sync.drift_check ORDER BY id DESC"
    ).fetchone()
    log = synced.db.execute(
        "SELECT outcome, error FROM odoo_sync.sync_log WHERE entity_type = 'drift' ORDER BY id DESC"
    ).fetchone()
    synced.db.commit()
    assert row is not None and row[:3] == ("drift", len(hand), 2)
    assert log is not None and log[0] == "error" and "1 record(s) deleted in Odoo" in log[1]


def test_source_changes_not_yet_synced_are_pending_not_drift(synced: World) -> None:
    synced.add_line(amount="75.00")
    report = check.check_tenant("acme", now=T0)
    assert report.state == "pending" and report.lines_waiting == 1
    assert report.totals and all(t.cause != HAND for t in report.totals)


def test_persistent_drift_pages_once_then_repair_and_recovery(synced: World, smtp_sink: Sink) -> None:
    hand_edits(synced)
    check.check_tenant("acme", now=T0)
    assert alerting.notify("acme", SETTINGS) == DRIFT
    assert smtp_sink.messages == []  # the first sighting opens the episode; it may be a change in progress
    for hours in (24, 25):
        check.check_tenant("acme", now=T0 + timedelta(hours=hours))
        alerting.notify("acme", SETTINGS)
    assert len(smtp_sink.subjects()) == 1 and smtp_sink.subjects()[0].startswith("[odoo-sync] DRIFT acme:")
    assert "PRJ-002/2.1" in smtp_sink.html(0) and "deleted" in smtp_sink.html(0)

    marked = repair.mark_for_repair("acme")
    assert marked["records"] == 2 and marked["lines"] > 0
    assert synced.run(reconcile=True) == "success"
    synced.assert_converged()
    assert check.check_tenant("acme", now=T0 + timedelta(hours=26)).state == "clean"
    alerting.notify("acme", SETTINGS)
    assert smtp_sink.subjects()[1].startswith("[odoo-sync] DRIFT RESOLVED acme")


def test_the_drift_dag_checks_and_repairs_only_when_asked(synced: World) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import REPO

    hand_edits(synced)
    dag = DagBag(dag_folder=str(REPO / "dags")).dags["odoo_drift__acme"]
    run = dag.test()
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert str(run.state) == "success" and str(states["reconcile"]) == "skipped"
    assert mutations(synced) == 0
