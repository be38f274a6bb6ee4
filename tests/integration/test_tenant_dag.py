"""The tenant DAG end to end: dag.test() against the test Odoo server and the real PostgreSQL."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from odoo_test_server import FakeOdoo
from tests.conftest import REPO, set_airflow_conn
from tests.integration.conftest import odoo_conn

pytestmark = pytest.mark.integration
LINE, ACCOUNT, PROJECT = "account.analytic.line", "account.analytic.account", "project.project"
MUTATIONS = ("create", "write", "unlink")
BAD_ROWS = [  # id, project, budget line, date, description, amount, currency -> the field named in the error
    ("BAD-1", "PRJ-001", "9.9.9", "2026-05-02", "unknown budget line", "10", "EUR", "budget_line_code"),
    ("BAD-2", "PRJ-001", "2.1", None, "no date", "10", "EUR", "date"),
    ("BAD-3", "PRJ-001", "2.1", "2026-05-02", "not a number", "NaN", "EUR", "amount"),
    ("BAD-4", "PRJ-001", "2.1", "2026-05-02", "wrong currency", "10", "UGX", "currency"),
    ("BAD-5", "PRJ-001", "2.1", "2026-05-02", "x" * 10_000, "10", "EUR", "description"),
]
UNICODE = ("UNI-1", "PRJ-002", "2.1", "2026-05-02", "Перелёт · رحلة · 航班 · ✈", "99.99", "EUR", None)


@pytest.fixture
def tenant_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """acme with a daily schedule, so a week of intervals is seven runs."""
    path = tmp_path / "tenants.yaml"
    path.write_text(
        "tenants:\n  - tenant_id: acme\n    display_name: ACME\n    schedule: '0 0 * * *'\n"
        "    start_date: 2026-01-01\n    calls_per_second: 1000\n"
    )
    monkeypatch.setenv("ODOO_SYNC_TENANTS_FILE", str(path))
    return path


@pytest.fixture
def source(db: psycopg.Connection, pg_database: str) -> psycopg.Connection:
    """The demo seed in schema togrant of the run's database, plus five bad rows and one in many scripts."""
    db.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
    db.execute((REPO / "include/demo/seed.sql").read_text())
    for row in [*BAD_ROWS, UNICODE]:
        db.execute(
            "INSERT INTO togrant.spending_lines (tenant_id, id, project_code, budget_line_code, date, description,"
            " amount, currency, updated_at) VALUES ('acme', %s, %s, %s, %s, %s, %s, %s, '2026-05-02 09:00+00')",
            row[:7],
        )
    db.commit()
    set_airflow_conn(
        "togrant_source", conn_type="postgres", host="127.0.0.1", port=5432, login="postgres", schema=pg_database
    )
    return db


@pytest.fixture
def odoo(tenant_file: Path) -> Iterator[FakeOdoo]:
    server = FakeOdoo(db="acme", login="admin", password="admin").start()
    odoo_conn("odoo_acme", server, password="admin", tenant_id="acme")
    yield server
    server.stop()


def run(logical_date: datetime | None = None, **conf: object) -> str:
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(REPO / "dags")).dags["odoo_sync__acme"]
    return str(dag.test(logical_date=logical_date, run_conf=conf or None).state)


def rpc(server: FakeOdoo, model: str, method: str, args: list, kwargs: dict | None = None) -> object:
    """Read Odoo as finance's reports would, through the external API (not through the project's hook)."""
    common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")
    uid = common.authenticate(server.db, server.login, server.password, {})
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")
    return models.execute_kw(server.db, uid, server.password, model, method, args, kwargs or {})


def mutations(odoo: FakeOdoo) -> dict[str, int]:
    return {m: odoo.count(method=m) for m in MUTATIONS}


def odoo_sums(odoo: FakeOdoo, column: str) -> dict[str, Decimal]:
    names = {a["id"]: a["code"] for a in odoo.records(ACCOUNT)}
    out: dict[str, Decimal] = {}
    for group in rpc(odoo, LINE, "read_group", [[], ["amount:sum"], [column]], {"lazy": False}):
        out[names[group[column][0]]] = Decimal(str(round(group["amount"], 2)))
    return out


def source_sums(db: psycopg.Connection, expr: str) -> dict[str, Decimal]:
    rows = db.execute(
        f"SELECT {expr}, -sum(amount::numeric) FROM togrant.spending_lines WHERE tenant_id = 'acme'"  # noqa: S608
        " AND status = 'posted' AND id NOT LIKE 'BAD-%%' GROUP BY 1"
    ).fetchall()
    return {k: v for k, v in rows}


def test_full_sync_then_replays_and_backfills_make_no_mutation(
    airflow_db: None, source: psycopg.Connection, odoo: FakeOdoo
) -> None:
    assert run() == "success"  # manual run, no watermark yet: everything

    plans = {a["code"]: a["plan_id"] for a in odoo.records(ACCOUNT)}
    assert sorted(c for c, p in plans.items() if p == 1) == ["PRJ-001", "PRJ-002"]
    assert sorted(c for c, p in plans.items() if p == 3) == ["EQP", "HR", "IND", "TRV"]
    assert len([c for c, p in plans.items() if p == 4]) == 12 and "PRJ-001/1.1.1.a" in plans
    projects = {p["name"]: p["analytic_account_id"] for p in odoo.records(PROJECT)}
    assert set(projects) == {"Civic Voices Uganda", "Civic Voices Burundi"} and all(projects.values())
    lines = odoo.records(LINE)
    assert len(lines) == 321  # 320 seeded + the one in many scripts; the five bad rows stay out
    assert all(line["account_id"] and line["x_plan3_id"] and line["x_plan4_id"] for line in lines)
    assert next(line for line in lines if line["ref"] == "acme:line:UNI-1:create")["name"] == UNICODE[4]

    assert odoo_sums(odoo, "account_id") == source_sums(source, "project_code")
    assert odoo_sums(odoo, "x_plan4_id") == source_sums(source, "project_code || '/' || budget_line_code")
    by_category = source_sums(
        source,
        "(SELECT category_code FROM togrant.budget_lines b WHERE b.tenant_id = 'acme'"
        " AND b.project_code = spending_lines.project_code"
        " AND b.code = spending_lines.budget_line_code)",
    )
    assert odoo_sums(odoo, "x_plan3_id") == by_category

    errors = source.execute(
        "SELECT entity_id, error FROM odoo_sync.sync_log WHERE outcome = 'error' ORDER BY entity_id"
    ).fetchall()
    assert [e[0] for e in errors] == [r[0] for r in BAD_ROWS]
    for (entity_id, error), bad in zip(errors, BAD_ROWS, strict=True):
        assert error.startswith(f"tenant acme: line {entity_id!r}: field {bad[7]}:")

    odoo.reset_calls()
    assert run(full_resync=True) == "success"
    for day in range(3, 10):  # a backfill over a week already synced (daily intervals of 2026-03-02..08)
        assert run(datetime(2026, 3, day, tzinfo=UTC)) == "success"
    assert run(datetime(2026, 3, 5, tzinfo=UTC)) == "success"  # the same interval again
    # The five bad rows are retried on every run; their reasons were logged once, so no run fails on them again.
    assert run(datetime(2026, 5, 3, tzinfo=UTC)) == "success"
    assert mutations(odoo) == {"create": 0, "write": 0, "unlink": 0}
    logged = source.execute("SELECT count(*) FROM odoo_sync.sync_log WHERE outcome = 'error'").fetchone()
    assert logged == (5,)


def test_changed_amounts_are_written_once_and_voided_lines_removed(
    airflow_db: None, source: psycopg.Connection, odoo: FakeOdoo
) -> None:
    assert run() == "success"
    changed = ["SL-00001", "SL-00002", "SL-00004", "SL-00005", "SL-00007"]
    voided = ["SL-00008", "SL-00010"]
    source.execute(
        "UPDATE togrant.spending_lines SET amount = '1234.56', revision = revision + 1,"
        " updated_at = '2026-11-20 10:30+00' WHERE id = ANY(%s)",
        (changed,),
    )
    source.execute(
        "UPDATE togrant.spending_lines SET status = 'void', revision = revision + 1,"
        " updated_at = '2026-11-20 10:45+00' WHERE id = ANY(%s)",
        (voided,),
    )
    source.commit()
    odoo.reset_calls()
    assert run(datetime(2026, 11, 21, tzinfo=UTC)) == "success"
    # The edits were back-dated behind the cursor: the fingerprint of passed rows caught them. Five lines got
    # the same new amount: one write carries only that field, for all five.
    assert mutations(odoo) == {"create": 0, "write": 1, "unlink": 1}
    assert [c.n_records for c in odoo.calls if c.model == LINE and c.model_method == "write"] == [5]
    assert [c.n_records for c in odoo.calls if c.model == LINE and c.model_method == "unlink"] == [2]
    refs = {line["ref"]: line["amount"] for line in odoo.records(LINE)}
    assert all(refs[f"acme:line:{i}:create"] == -1234.56 for i in changed)
    assert not any(f"acme:line:{i}:create" in refs for i in voided)

    odoo.reset_calls()
    assert run(datetime(2026, 11, 21, tzinfo=UTC)) == "success"
    assert mutations(odoo) == {"create": 0, "write": 0, "unlink": 0}


def test_odoo_18_links_projects_through_account_id(
    airflow_db: None, source: psycopg.Connection, tenant_file: Path
) -> None:
    server = FakeOdoo(db="acme", login="admin", password="admin", version=18).start()
    try:
        odoo_conn("odoo_acme", server, password="admin", tenant_id="acme")
        assert run() == "success"
        projects = server.records(PROJECT)
        assert len(projects) == 2 and all(p["account_id"] for p in projects)
        assert len(server.records(LINE)) == 321
    finally:
        server.stop()


def test_missing_plan_fails_with_what_to_create(
    airflow_db: None, source: psycopg.Connection, tenant_file: Path
) -> None:
    server = FakeOdoo(db="acme", login="admin", password="admin").start()
    try:
        rpc(server, "account.analytic.plan", "write", [[4], {"name": "Something else"}])
        odoo_conn("odoo_acme", server, password="admin", tenant_id="acme")
        assert run() == "failed"
        assert server.count(method="create") == 0
    finally:
        server.stop()


def test_analytic_accounting_off_fails_with_the_setting_to_turn_on(
    airflow_db: None, source: psycopg.Connection, tenant_file: Path
) -> None:
    server = FakeOdoo(db="acme", login="admin", password="admin").start()
    try:
        server.deny_access = {"account.analytic.plan"}
        odoo_conn("odoo_acme", server, password="admin", tenant_id="acme")
        assert run() == "failed"
        error = source.execute(
            "SELECT error FROM odoo_sync.sync_log WHERE odoo_model = 'account.analytic.plan' AND outcome = 'error'"
        ).fetchone()
        assert error is not None and "Fault 4" in error[0]
        assert server.count(method="create") == 0
    finally:
        server.stop()
