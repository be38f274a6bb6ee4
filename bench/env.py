"""Process set-up shared by every benchmark: an isolated Airflow home and throw-away PostgreSQL databases.

Import this module before anything that imports Airflow: Airflow reads its configuration on first import.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DAGS = REPO / "dags"
AIRFLOW_HOME = os.environ.setdefault("ODOO_SYNC_BENCH_AIRFLOW_HOME", tempfile.mkdtemp(prefix="odoo-sync-bench-"))
os.environ["AIRFLOW_HOME"] = AIRFLOW_HOME
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{AIRFLOW_HOME}/airflow.db"
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")

import psycopg  # noqa: E402

PG = os.environ.get("ODOO_SYNC_BENCH_PG", "host=127.0.0.1 port=5432 user=postgres")


def set_conn(conn_id: str, **fields: object) -> None:
    """Airflow finds connections in AIRFLOW_CONN_* variables (as the demo and the tests do)."""
    os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(fields)


def pg_fields(dbname: str) -> dict[str, object]:
    parts = dict(p.split("=", 1) for p in PG.split())
    return {
        "conn_type": "postgres",
        "host": parts.get("host", "127.0.0.1"),
        "port": int(parts.get("port", 5432)),
        "login": parts.get("user", "postgres"),
        "password": parts.get("password"),
        "schema": dbname,
    }


@contextmanager
def scratch_database(label: str) -> Iterator[str]:
    """A database of the bench's own (`odoo_sync_bench_<label>_<random>`), dropped afterwards."""
    name = f"odoo_sync_bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(f"{PG} dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dsn(dbname: str) -> str:
    return f"{PG} dbname={dbname}"


def write_tenants_file(tenant_ids: list[str], path: Path, **fields: object) -> Path:
    """A tenants.yaml naming these tenants (extra fields apply to each) and point the DAG file at it."""
    lines = ["tenants:"]
    for tid in tenant_ids:
        lines += [f"  - tenant_id: {tid}", f"    display_name: Bench {tid}"]
        lines += [f"    {k}: {json.dumps(v)}" for k, v in fields.items()]
    path.write_text("\n".join(lines) + "\n")
    os.environ["ODOO_SYNC_TENANTS_FILE"] = str(path)
    return path


def last_json_line(out: subprocess.CompletedProcess[str], what: str) -> dict[str, Any]:
    """The figures a worker process printed last; its stderr's tail if it failed."""
    if out.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def peak_rss_mb() -> float:
    """This process's own peak RSS. Linux keeps ru_maxrss across fork and exec (a child started by a big
    parent would report the parent's peak), so read the memory map's high-water mark, VmHWM, instead."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
