"""Where a first sync's time goes, call by call, against Odoo's own limit for the same lines:
`python -m bench.critical_path [--lines N] [--repeat K]` (the real Odoo of ``ODOO_TEST_*``, else the Odoo 17
cost model on loopback).

Both runs are timed from the client side, every Odoo call in and out (``CallCounter.spans``). For (a), the
project's tenant tasks, and (b), a plain batch ``create`` of 500 lines a call, it prints: the time before the
first line call (checks, accounts, projects, planning), the line calls themselves (their mean: what Odoo spends,
marshalling included), the gaps between two line calls (within a source chunk, and at a chunk's edge, where one
chunk's last answer is settled and the next chunk's first call is booked), the time after the last, and this
process's CPU. a/b then splits into what Odoo took longer to answer and what lay between the answers.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import bench.env  # noqa: F401  # first: Airflow settings before anything imports Airflow
from bench import env, odoo, source, sync
from bench.raw_runs import limit
from odoo_sync.odoo.models import LINE

LINE_CALL = f"{LINE}.create"
Span = tuple[float, float, str]


@dataclass(frozen=True, slots=True)
class Breakdown:
    """One run's time, split along its line calls (seconds; the gaps' means in milliseconds)."""

    seconds: float
    before_first_line_call: float
    line_calls: int
    in_line_calls: float
    line_call_mean_ms: float
    gaps_within_chunks: float
    gap_within_mean_ms: float
    gaps_at_chunk_edges: float
    gap_edge_mean_ms: float
    after_last_line_call: float
    cpu_seconds: float


def chunk_edges(calls: int, batch: int, chunk: int) -> set[int]:
    """The gaps (by index: gap i follows line call i) where one source chunk ends and the next begins: the first
    chunk is one call (``first=batch``), then each is twice the one before, up to ``chunk`` lines (pure)."""
    edges, done, size = set(), 0, batch
    while done < calls:
        done += -(-size // batch)
        edges.add(done - 1)
        size = min(size * 2, chunk)
    return edges


def breakdown(spans: Sequence[Span], seconds: float, cpu: float, edges: set[int]) -> Breakdown:
    """Split a run along its line calls (pure); ``edges``: the gaps that are chunk edges (``chunk_edges``)."""
    spans = sorted(spans)
    lines = [(b, e) for b, e, name in spans if name == LINE_CALL]
    if not lines:
        raise ValueError("no analytic line was created: nothing to split")
    gaps = [lines[i + 1][0] - lines[i][1] for i in range(len(lines) - 1)]
    edge = [g for i, g in enumerate(gaps) if i in edges]
    within = [g for i, g in enumerate(gaps) if i not in edges]
    run_start, run_end = spans[0][0], spans[0][0] + seconds
    in_calls = sum(e - b for b, e in lines)
    return Breakdown(
        seconds=seconds,
        before_first_line_call=lines[0][0] - run_start,
        line_calls=len(lines),
        in_line_calls=in_calls,
        line_call_mean_ms=in_calls / len(lines) * 1000,
        gaps_within_chunks=sum(within),
        gap_within_mean_ms=_mean_ms(within),
        gaps_at_chunk_edges=sum(edge),
        gap_edge_mean_ms=_mean_ms(edge),
        after_last_line_call=max(0.0, run_end - lines[-1][1]),
        cpu_seconds=cpu,
    )


def _mean_ms(values: Sequence[float]) -> float:
    return sum(values) / len(values) * 1000 if values else 0.0


def measure(n: int) -> dict[str, Breakdown]:
    """(a) then (b) on one scratch source of ``n`` lines; what (a) created is removed before (b) runs."""
    from odoo_sync.sync import source as sync_source
    from odoo_sync.sync.writer import DEFAULT_BATCH_SIZE

    profile = "real" if odoo.real_odoo_configured() else "odoo17-model"
    edges = chunk_edges(-(-n // DEFAULT_BATCH_SIZE), DEFAULT_BATCH_SIZE, sync_source.CHUNK_ROWS)
    with env.scratch_database(f"path{n}") as dbname:
        dsn = env.dsn(dbname)
        source.seed(dsn, sync.TENANT, n)
        sync._configure(dbname, calls_per_second=20)
        from odoo_sync.airflow import tasks

        tasks.migrate_schema()
        target = odoo.start(profile)
        try:
            env.set_conn(f"odoo_{sync.TENANT}", **target.conn_fields(sync.TENANT))
            from bench.project_run import run_tasks

            first, cpu = _with_cpu(lambda: run_tasks(sync.TENANT, "bench__path"))
            a = breakdown(first.calls.spans, first.seconds, cpu, edges)
        finally:
            if profile == "real":  # what it created, even if it stopped halfway (see bench.sync)
                sync._cleanup_project_records(target, dsn)
            target.stop()
        raw, cpu = _with_cpu(lambda: sync._raw(profile, dsn, limit))
        b = breakdown(raw.calls.spans, raw.seconds, cpu, edges)
    return {"project": a, "limit": b}


def _with_cpu(run: Callable[[], Any]) -> tuple[Any, float]:
    before = resource.getrusage(resource.RUSAGE_SELF)
    result = run()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return result, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def report(n: int, runs: list[dict[str, Breakdown]]) -> str:
    """The two runs side by side, one block per repeat, and a/b split into its two causes."""
    out = [f"first sync of {n:,} lines: (a) the project, (b) Odoo's limit (batch create of 500)"]
    for k, run in enumerate(runs, 1):
        a, b = run["project"], run["limit"]
        out.append(f"run {k}: a/b {a.seconds / b.seconds:.3f}")
        for field in Breakdown.__dataclass_fields__:
            out.append(f"  {field:<24} {getattr(a, field):>10.3f} {getattr(b, field):>10.3f}")
        slower = (a.in_line_calls - b.in_line_calls) / b.seconds
        between = (a.seconds - a.in_line_calls - (b.seconds - b.in_line_calls)) / b.seconds
        out.append(f"  a/b - 1 = {slower:+.3f} (Odoo answering our calls) {between:+.3f} (between and around them)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.critical_path", description=__doc__)
    p.add_argument("--lines", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args(argv)
    runs = []
    for _ in range(args.repeat):
        started = time.monotonic()
        runs.append(measure(args.lines))
        print(f"  measured in {time.monotonic() - started:.0f} s", flush=True)
    print(report(args.lines, runs))
    print(json.dumps({"lines": args.lines, "runs": [{k: asdict(v) for k, v in r.items()} for r in runs]}))


if __name__ == "__main__":
    main()
