"""The main job on an embedded default: tenant `acme` synced end to end, then synced again.

Runs the real DAG (`dag.test()`) against the loopback Odoo 17 test server and the local PostgreSQL
(databases `togrant_demo` for the source and `odoo_sync_demo` for the ledger and sync_log).
Set ODOO_DEMO_URL/ODOO_DEMO_DB/ODOO_DEMO_USER/ODOO_DEMO_PASSWORD to sync into a real Odoo instead.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("AIRFLOW_HOME", str(REPO / ".airflow" / "demo"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{os.environ['AIRFLOW_HOME']}/airflow.db")
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")  # the demo prints its own report

import psycopg  # noqa: E402

PG = os.environ.get("ODOO_SYNC_DEMO_PG", "host=127.0.0.1 port=5432 user=postgres")
SOURCE_DB, SYNC_DB = "togrant_demo", "odoo_sync_demo"


def create_database(name: str) -> None:
    with psycopg.connect(f"{PG} dbname=postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def seed_source() -> None:
    with psycopg.connect(f"{PG} dbname={SOURCE_DB}") as conn:
        conn.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
        conn.execute((REPO / "include/demo/seed.sql").read_text())


def pg_conn(dbname: str) -> str:
    parts = dict(p.split("=", 1) for p in PG.split())
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": parts.get("host", "127.0.0.1"),
            "port": int(parts.get("port", 5432)),
            "login": parts.get("user", "postgres"),
            "password": parts.get("password"),
            "schema": dbname,
        }
    )


def start_odoo() -> object | None:
    """Point odoo_acme at a real Odoo if ODOO_DEMO_* is set, else at the loopback test server."""
    if os.environ.get("ODOO_DEMO_URL"):
        env = {k: os.environ[f"ODOO_DEMO_{k.upper()}"] for k in ("url", "db", "user", "password")}
        conn = {
            "conn_type": "odoo",
            "host": env["url"],
            "schema": env["db"],
            "login": env["user"],
            "password": env["password"],
            "extra": {"tenant_id": "acme"},
        }
        server = None
    else:
        from odoo_test_server import FakeOdoo

        server = FakeOdoo(db="acme", login="admin", password="admin").start()
        conn = {
            "conn_type": "odoo",
            "host": server.url,
            "schema": "acme",
            "login": "admin",
            "password": "admin",
            "extra": {"tenant_id": "acme", "timeout": 30},
        }
    os.environ["AIRFLOW_CONN_ODOO_ACME"] = json.dumps(conn)
    return server


def run_dag(**conf: object) -> float:
    """A manual run (no data interval): lines changed since the last successful run, or all of them."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(REPO / "dags")).dags["odoo_sync__acme"]
    started = time.monotonic()
    run = dag.test(logical_date=None, run_conf=conf or None)
    if run.state != "success":
        sys.exit(f"demo run ended {run.state}: see the task logs above")
    return time.monotonic() - started


def report(seconds: list[float]) -> None:
    with psycopg.connect(f"{PG} dbname={SYNC_DB}") as conn:
        by_run = conn.execute(
            "SELECT run_id, count(*) FILTER (WHERE outcome = 'ok' AND method IN ('create', 'write', 'unlink')),"
            " count(*) FILTER (WHERE outcome = 'skipped'), count(*) FILTER (WHERE outcome = 'error'),"
            " count(DISTINCT call_id) FROM odoo_sync.sync_log GROUP BY 1 ORDER BY min(id)"
        ).fetchall()
        ledger = conn.execute(
            "SELECT entity_type, odoo_model, count(*) FROM odoo_sync.ledger WHERE state = 'done'"
            " AND operation = 'create' GROUP BY 1, 2 ORDER BY 2, 1"
        ).fetchall()
    print("\n=== demo: tenant acme synced end to end ===")
    print(f"first run {seconds[0]:.1f} s; second run (full resync of the same data) {seconds[1]:.1f} s")
    print("records the integration created in Odoo (from the ledger):")
    for entity, model, n in ledger:
        print(f"  {model:<26} {entity:<16} {n:>5}")
    print("per run (from sync_log):        written  skipped  rejected  Odoo calls")
    for (run_id, written, skipped, rejected, calls), label in zip(by_run, ("first run", "second run"), strict=False):
        print(f"  {label:<28} {written:>8} {skipped:>8} {rejected:>9} {calls:>11}   {run_id}")
    query = "SELECT * FROM odoo_sync.sync_log LIMIT 20"
    print(f"\nLook further: psql -h 127.0.0.1 -U postgres {SYNC_DB} -c '{query}'")


def main() -> None:
    for name in (SOURCE_DB, SYNC_DB):
        create_database(name)
    seed_source()
    os.environ["AIRFLOW_CONN_TOGRANT_SOURCE"] = pg_conn(SOURCE_DB)
    os.environ["AIRFLOW_CONN_ODOO_SYNC_DB"] = pg_conn(SYNC_DB)
    with psycopg.connect(f"{PG} dbname={SYNC_DB}", autocommit=True) as conn:  # a fresh demo each time
        conn.execute("DROP SCHEMA IF EXISTS odoo_sync CASCADE")
    from airflow.utils import db as airflow_db

    airflow_db.resetdb(skip_init=False)
    server = start_odoo()
    try:
        seconds = [run_dag(), run_dag(full_resync=True)]
        report(seconds)
        if server is not None:
            print_odoo_totals(server)
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


def print_odoo_totals(server: object) -> None:
    import xmlrpc.client

    from odoo_sync.odoo.models import LINE

    common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")  # type: ignore[attr-defined]
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")  # type: ignore[attr-defined]
    uid = common.authenticate("acme", "admin", "admin", {})
    print("Odoo totals per plan (read_group on account.analytic.line):")
    for column in ("account_id", "x_plan3_id", "x_plan4_id"):
        groups = models.execute_kw(
            "acme", uid, "admin", LINE, "read_group", [[], ["amount:sum"], [column]], {"lazy": False}
        )
        for g in sorted(groups, key=lambda g: g[column][1] if g[column] else ""):
            label = g[column][1] if g[column] else "(none)"
            print(f"  {column:<11} {label:<44} {g['amount']:>12,.2f}  ({g['__count']} lines)")


if __name__ == "__main__":
    main()
