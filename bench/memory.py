"""Section 6: peak RSS of the project's sync over many source lines (streamed in chunks, never all held).

The sync runs in a fresh process (``python -m bench.memory worker N``), the test Odoo in another one
(``python -m tests.fake_odoo``), so the figure is the sync's own memory, not the server's store.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

from bench.env import REPO, last_json_line, peak_rss_mb


def measure(n_lines: int) -> dict[str, Any]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_odoo", "--port", str(port), "--db", "bench"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "fake odoo listening on ..."
        out = subprocess.run(
            [sys.executable, "-m", "bench.memory", "worker", str(n_lines), f"http://127.0.0.1:{port}"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=3600,
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    return last_json_line(out, "the memory worker")


def worker(n_lines: int, url: str) -> None:
    """Seed n lines in a scratch database and run the tenant's task functions once; print peak RSS."""
    from bench import env, source, sync
    from bench.odoo import Target
    from bench.project_run import run_tasks

    with env.scratch_database(f"mem{n_lines}") as dbname:
        seeded = time.perf_counter()
        source.seed(env.dsn(dbname), sync.TENANT, n_lines)
        seed_s = time.perf_counter() - seeded
        sync._configure(dbname, calls_per_second=20)
        from odoo_sync import tasks

        tasks.migrate_schema()
        target = Target("fake", url, "bench", "admin", "admin")
        env.set_conn(f"odoo_{sync.TENANT}", **target.conn_fields(sync.TENANT))
        before = peak_rss_mb()
        run = run_tasks(sync.TENANT, "bench__memory")
    line = run.summary.get("line", {})
    print(
        json.dumps(
            {
                "lines": n_lines,
                "created": line.get("created"),
                "seconds": run.seconds,
                "seed_s": seed_s,
                "calls": run.calls.total,
                "peak_rss_mb": peak_rss_mb(),
                "rss_before_sync_mb": before,
            }
        )
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        os.environ.setdefault("ODOO_SYNC_BENCH_QUIET", "1")
        worker(int(sys.argv[2]), sys.argv[3])
