"""Section 6: peak RSS of the project's sync over many source lines (streamed in chunks, never all held).

The sync runs in a fresh process (``python -m bench.memory worker N``), the test Odoo in another one
(``python -m odoo_test_server``), so the figure is the sync's own memory, not the server's store.

With ``ODOO_TEST_*`` set (``real``), the onboarding goes into that Odoo instead: the worker also times Odoo's
own limit for the same lines (a plain batch ``create`` of 500 records a call, in a process of its own, after
the sync's peak RSS is taken), and removes everything both created. The reconciliations run on loopback only.
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
    from bench.odoo import real_odoo_configured

    if real_odoo_configured():
        return _run_worker(n_lines, "real")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "odoo_test_server", "--port", str(port), "--db", "bench"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "fake odoo listening on ..."
        return _run_worker(n_lines, f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        server.wait(timeout=60)


def _run_worker(n_lines: int, url: str) -> dict[str, Any]:
    """``url``: the loopback server's, or ``real`` (the worker reads ODOO_TEST_* itself: no password in argv)."""
    return _in_own_process(["worker", str(n_lines), url], "the memory worker", timeout=4 * 3600)


def _in_own_process(args: list[str], what: str, timeout: float) -> dict[str, Any]:
    """``python -m bench.memory ARGS`` in a fresh process (its own peak RSS); the figures it printed last."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.memory", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    return last_json_line(out, what)


def _target(url: str) -> Any:
    from bench.odoo import Target, start

    return start("real") if url == "real" else Target("fake", url, "bench", "admin", "admin")


def worker(n_lines: int, url: str) -> None:
    """Seed n lines in a scratch database and run the tenant's task functions once; print peak RSS."""
    from bench import env, source, sync
    from bench.odoo import describe as odoo_describe
    from bench.project_run import run_tasks

    with env.scratch_database(f"mem{n_lines}") as dbname:
        seeded = time.perf_counter()
        source.seed(env.dsn(dbname), sync.TENANT, n_lines)
        seed_s = time.perf_counter() - seeded
        sync._configure(dbname, calls_per_second=20)
        from odoo_sync.airflow import tasks

        tasks.migrate_schema()
        target = _target(url)
        env.set_conn(f"odoo_{sync.TENANT}", **target.conn_fields(sync.TENANT))
        before = peak_rss_mb()
        run = run_tasks(sync.TENANT, "bench__memory")
        synced_peak = peak_rss_mb()
        if url == "real":  # what the sync created goes first: the limit's run forgets the tenant's ledger
            reconciles: list[dict[str, Any]] = []
            sync._cleanup_project_records(target, env.dsn(dbname))
            limit = _limit_in_own_process(dbname)
        else:
            limit = None
            reconciles = [_reconcile_in_own_process(dbname, url, n_lines // 100 * share) for share in (0, 1)]
    line = run.summary.get("line", {})
    print(
        json.dumps(
            {
                "lines": n_lines,
                "created": line.get("created"),
                "seconds": run.seconds,
                "seed_s": seed_s,
                "calls": run.calls.total,
                "peak_rss_mb": synced_peak,
                "rss_before_sync_mb": before,
                "reconcile": reconciles,
                "server": odoo_describe(target),
                "limit": limit,
                "a_b": run.seconds / limit["seconds"] if limit else None,
                "calls_by_method": run.calls.by_method,
            }
        )
    )


def _limit_in_own_process(dbname: str) -> dict[str, Any]:
    """Odoo's own limit for the same lines (``bench.raw_runs.limit``), in a fresh process: it holds them all."""
    return _in_own_process(["limit", dbname], "the limit worker", timeout=4 * 3600)


def limit_worker(dbname: str) -> None:
    """Time a plain batch ``create`` of the tenant's lines in the real Odoo, then remove what it made."""
    from bench import env, sync
    from bench.raw_runs import limit

    sync._configure(dbname, calls_per_second=1000)
    figures = sync._raw("real", env.dsn(dbname), limit)
    print(json.dumps({"seconds": figures.seconds, "calls": figures.calls.total, "peak_rss_mb": peak_rss_mb()}))


def _reconcile_in_own_process(dbname: str, url: str, changed: int) -> dict[str, Any]:
    """A reconciliation of the synced tenant in a fresh process (its own peak RSS), ``changed`` lines edited."""
    return _in_own_process(["reconcile", dbname, url, str(changed)], "the reconcile worker", timeout=3600)


def reconcile_worker(dbname: str, url: str, changed: int) -> None:
    """Edit ``changed`` lines (each a different amount), then reconcile; Odoo calls counted for that task only."""
    import psycopg

    from bench import env, sync
    from bench.odoo import CallCounter, Target

    sync._configure(dbname, calls_per_second=1000)
    env.set_conn(f"odoo_{sync.TENANT}", **Target("fake", url, "bench", "admin", "admin").conn_fields(sync.TENANT))
    if changed:
        with psycopg.connect(env.dsn(dbname)) as conn:
            conn.execute(
                "UPDATE togrant.spending_lines SET amount = (amount::numeric + 1)::text"
                " WHERE id IN (SELECT id FROM togrant.spending_lines ORDER BY id LIMIT %s)",
                (changed,),
            )
    from odoo_sync.airflow import tasks
    from odoo_sync.odoo.seams import watched
    from odoo_sync.sync.runtime import Seams

    context = {"run_id": "bench__reconcile", "logical_date": source_end(), "params": {"reconcile": True}}
    octx = tasks.check_odoo(sync.TENANT, context)
    calls = CallCounter()  # this task's Odoo calls only, watched through the hook's client seam
    started = time.perf_counter()
    summary = tasks.analytic_lines(sync.TENANT, octx, context, seams=Seams(client_factory=watched(calls.watch)))
    seconds = time.perf_counter() - started
    line = summary.get("line", {})
    figures = {"changed": changed, "seconds": seconds, "odoo_calls": calls.total, "mutations": calls.mutations}
    figures |= {"lines_seen": line.get("seen"), "updated": line.get("updated"), "peak_rss_mb": peak_rss_mb()}
    figures["calls_by_method"] = calls.by_method
    figures["calls_per_500_changed"] = calls.total * 500 / changed if changed else 0.0
    print(json.dumps(figures))


def source_end() -> Any:
    from bench.source import END

    return END


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    os.environ.setdefault("ODOO_SYNC_BENCH_QUIET", "1")
    if sys.argv[1] == "worker":
        worker(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "limit":
        limit_worker(sys.argv[2])
    elif sys.argv[1] == "reconcile":
        reconcile_worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
