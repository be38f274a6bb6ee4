"""Section 4: parse the DAG folder as the DAG processor does (a DagBag over dags/), in a fresh process per size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.env import DAGS, REPO, write_tenants_file

_CHILD = """
import json, os, time
t0 = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag
t1 = time.perf_counter()
bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
t2 = time.perf_counter()
files = {os.path.basename(s.file): s.duration.total_seconds() for s in bag.dagbag_stats}
print(json.dumps({"import_airflow_s": t1 - t0, "dagbag_s": t2 - t1, "dags": len(bag.dags),
                  "import_errors": len(bag.import_errors), "files_s": files}))
"""


def parse_once(n_tenants: int, workdir: Path) -> dict[str, Any]:
    """Generate a tenants.yaml of n tenants and parse dags/ in a new interpreter; figures from inside it."""
    path = write_tenants_file([f"t{i:04d}" for i in range(n_tenants)], workdir / f"tenants_{n_tenants}.yaml")
    env = {**os.environ, "ODOO_SYNC_TENANTS_FILE": str(path), "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS)}
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], env=env, cwd=REPO, capture_output=True, text=True, check=True, timeout=600
    )
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    figures["process_s"] = time.perf_counter() - started
    figures["tenants"] = n_tenants
    return figures


def measure(sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="odoo-sync-bench-parse-") as tmp:
        return [parse_once(n, Path(tmp)) for n in sizes]
