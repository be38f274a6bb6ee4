"""What a restore costs (issue 18): `python -m bench.restore [--lines 10000] [--profiles fake odoo17-model]`.

One tenant of ``--lines`` lines, synced once; then, each a run of the DAG's task functions (bench/project_run.py):
a run with nothing to repair (the per-run probe's two reads), a reconciliation with nothing to repair (every line
read back from Odoo, no write), the ``rebuild`` param's dry run and real run, the tenant's Odoo restored from a
dump taken before 100 lines were revised and 30 voided (test server only), and our database lost. ``real``: the
Odoo ODOO_TEST_* names (what the runs created is removed afterwards). Prints one JSON object per
profile: seconds, Odoo calls (by method) and mutations per run.
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

import bench.env  # noqa: F401  # Airflow settings before anything imports Airflow
from bench import env, odoo, source
from bench.changes import brief, rewind
from bench.project_run import run_tasks
from odoo_sync.odoo.models import LINE

TENANT = "bench"
REVISED, VOIDED = 100, 30
_LATE = source.END - timedelta(days=1)
_REVISE = (
    "UPDATE togrant.spending_lines SET amount = to_char(amount::numeric + 1.5, 'FM999990.00'), updated_at = %s"
    " WHERE tenant_id = %s AND substr(id, 4)::int <= %s"
)
_VOID = (
    "UPDATE togrant.spending_lines SET status = 'void', updated_at = %s"
    " WHERE tenant_id = %s AND substr(id, 4)::int > %s AND substr(id, 4)::int <= %s"
)


def measure(profile: str, n: int, calls_per_second: float) -> dict[str, Any]:
    """Every run's figures for one profile and size, on a scratch database and a fresh Odoo."""
    from odoo_sync.airflow import tasks

    out: dict[str, Any] = {"profile": profile, "lines": n}
    with env.scratch_database(f"restore{n}") as dbname:
        dsn = env.dsn(dbname)
        source.seed(dsn, TENANT, n)
        env.set_conn("odoo_sync_db", **env.pg_fields(dbname))
        env.set_conn("togrant_source", **env.pg_fields(dbname))
        tenants = Path(env.AIRFLOW_HOME) / "tenants.yaml"
        env.write_tenants_file([TENANT], tenants, calls_per_second=calls_per_second)
        tasks.migrate_schema()
        target = odoo.start(profile)
        try:
            env.set_conn(f"odoo_{TENANT}", **target.conn_fields(TENANT))
            out["first"] = brief(run_tasks(TENANT, "bench__first"))
            out["nothing_to_repair"] = brief(run_tasks(TENANT, "bench__quiet"))
            out["reconcile_nothing_to_repair"] = brief(run_tasks(TENANT, "bench__reconcile", {"reconcile": True}))
            out["rebuild_dry_run"] = brief(run_tasks(TENANT, "bench__plan", {"rebuild": True, "dry_run": True}))
            out["rebuild_nothing_to_repair"] = brief(run_tasks(TENANT, "bench__rebuild", {"rebuild": True}))
            if target.server is not None:  # a real Odoo's restore needs its lab: tests/scenarios/test_restores.py
                out["odoo_restored"] = _odoo_restored(dsn, target.server, n)
            out["our_database_lost"] = _database_lost(dsn)
            if profile == "real":
                _remove_from_real_odoo(target, dsn)
        finally:
            target.stop()
    return out


def _remove_from_real_odoo(target: Any, dsn: str) -> None:
    """The tenant's lines by their ``ref`` (after our database was lost the ledger no longer names them all),
    then the accounts and projects the ledger names."""
    from bench.raw_runs import RawOdoo
    from bench.sync import _cleanup_project_records

    raw = RawOdoo(target)
    raw.login()
    while ids := raw.call(LINE, "search", [("ref", "=like", f"{TENANT}:line:%")], limit=5000):
        raw.call(LINE, "unlink", ids)
    _cleanup_project_records(target, dsn)


def _odoo_restored(dsn: str, server: Any, n: int) -> dict[str, Any]:
    """A dump, then 100 lines revised and 30 voided (synced), then the dump restored: the next run repairs."""
    dump = server.dump()
    with psycopg.connect(dsn) as conn:
        conn.execute(_REVISE, (_LATE, TENANT, REVISED))
        conn.execute(_VOID, (_LATE, TENANT, REVISED, REVISED + VOIDED))
    rewind(dsn)
    synced = brief(run_tasks(TENANT, "bench__changes"))
    server.restore(dump)
    repaired = brief(run_tasks(TENANT, "bench__after_odoo_restore"))
    again = brief(run_tasks(TENANT, "bench__settled"))
    return {"changes_synced": synced, "next_run": repaired, "run_after": again}


def _database_lost(dsn: str) -> dict[str, Any]:
    from odoo_sync.airflow import tasks

    with psycopg.connect(dsn) as conn:
        conn.execute("DROP SCHEMA odoo_sync CASCADE")
    tasks.migrate_schema()
    lost = brief(run_tasks(TENANT, "bench__after_loss"))
    again = brief(run_tasks(TENANT, "bench__settled_again"))
    return {"next_run": lost, "run_after": again}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.restore", description=__doc__)
    p.add_argument("--lines", type=int, default=10_000)
    p.add_argument(
        "--profiles", nargs="+", default=["fake"], choices=["fake", "odoo17-model", "real"], help="real: ODOO_TEST_*"
    )
    p.add_argument("--calls-per-second", type=float, default=20.0, help="the tenant's throttle (config default 20)")
    args = p.parse_args(argv)
    for profile in args.profiles:
        print(json.dumps(measure(profile, args.lines, args.calls_per_second), indent=1, default=str), flush=True)


if __name__ == "__main__":
    main()
