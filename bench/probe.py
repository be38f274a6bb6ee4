"""The watcher's cost at fleet size: `python -m bench.probe [--tenants 1000] [--seconds 60]`.

Seeds a source of ``--tenants`` tenants (1 project, 4 categories, 6 budget lines and ``--lines`` spending lines
each) in a scratch database, then measures:

1. the probe query (``odoo_sync/sql/source/change_markers.sql``) for the whole fleet, and narrowed to one tenant
   (what each run's gate reads): median and 95th percentile over repeated runs;
2. the triggerer's side: one ``SourceChangeTrigger`` per tenant subscribed to Airflow's own
   ``SharedStreamManager`` (as the triggerer runs them), probing every ``--probe-seconds`` for ``--seconds``,
   with a burst of 50 tenants changing at once before every probe: source queries per minute, events fired,
   and this process's CPU seconds per minute (the trigger coroutines and the probe's client side).

Prints a table and the JSON of every figure (``--output FILE`` keeps it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import time
from pathlib import Path
from typing import Any

import bench.env  # noqa: F401  # first: Airflow settings before anything imports Airflow
from bench.env import PG, pg_fields, scratch_database, set_conn

BURST = 50  # tenants changing at once before each probe
SEED = """
INSERT INTO togrant.projects SELECT 't' || t, 'PRJ-001', 'Project ' || t, 'active', now() - interval '1 day'
  FROM generate_series(1, %(tenants)s) t;
INSERT INTO togrant.budget_categories SELECT 't' || t, c, c, now() - interval '1 day'
  FROM generate_series(1, %(tenants)s) t, unnest(ARRAY['HR', 'TRV', 'EQP', 'IND']) c;
INSERT INTO togrant.budget_lines SELECT 't' || t, 'PRJ-001', b::text, 'line ' || b, 'HR', now() - interval '1 day'
  FROM generate_series(1, %(tenants)s) t, generate_series(1, 6) b;
INSERT INTO togrant.spending_lines (tenant_id, id, project_code, budget_line_code, date, description, amount,
    currency, updated_at)
  SELECT 't' || t, 'L' || l, 'PRJ-001', '1', '2026-06-01', 'bench', '-10.00', 'EUR',
         now() - interval '1 day' + l * interval '1 second'
  FROM generate_series(1, %(tenants)s) t, generate_series(1, %(lines)s) l;
"""


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.probe", description=__doc__)
    p.add_argument("--tenants", type=int, default=1000)
    p.add_argument("--lines", type=int, default=200, help="spending lines per tenant")
    p.add_argument("--seconds", type=float, default=60.0, help="how long the triggers run")
    p.add_argument("--probe-seconds", type=float, default=10.0, help="the tenants' probe_seconds (config default)")
    p.add_argument("--repeat", type=int, default=20, help="runs of each probe query")
    p.add_argument("--output", type=Path, default=None)
    return p.parse_args(argv)


def seed(conn: Any, tenants: int, lines: int) -> None:
    from bench.env import REPO

    conn.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
    for statement in filter(str.strip, SEED.split(";")):
        conn.execute(statement, {"tenants": tenants, "lines": lines})
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")  # the visibility map: index-only scans, as on a settled source
    conn.autocommit = False


def time_query(conn: Any, tenants: list[str] | None, repeat: int) -> dict[str, float]:
    from odoo_sync.sync import source

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        conn.execute(source.query("change_markers"), {"tenants": tenants}).fetchall()
        conn.commit()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": statistics.median(times), "p95_ms": times[int(len(times) * 0.95) - 1]}


async def run_triggers(args: argparse.Namespace, dbname: str) -> dict[str, float]:
    import psycopg
    from airflow.triggers.shared_stream import SharedStreamManager

    from odoo_sync.airflow.watcher import SourceChangeTrigger

    manager = SharedStreamManager()
    events = probes = 0

    async def probe_counter() -> None:  # one more subscriber that sees the raw stream: one item per probe query
        nonlocal probes
        trigger = SourceChangeTrigger("t1", "togrant_source", args.probe_seconds)
        async for _ in manager.subscribe(trigger_id=0, trigger=trigger, key=trigger.shared_stream_key()):
            probes += 1

    async def subscriber(n: int) -> None:
        nonlocal events
        trigger = SourceChangeTrigger(f"t{n}", "togrant_source", args.probe_seconds)
        stream = manager.subscribe(trigger_id=n, trigger=trigger, key=trigger.shared_stream_key())
        async for _ in trigger.filter_shared_stream(stream):
            events += 1

    async def bursts(conn: psycopg.AsyncConnection[Any]) -> int:
        made = 0
        while True:
            await asyncio.sleep(args.probe_seconds / 2)
            await conn.execute(
                "UPDATE togrant.spending_lines SET updated_at = clock_timestamp() WHERE id = 'L1'"
                " AND tenant_id = ANY(%s)",
                ([f"t{n}" for n in range(1 + made % 7, args.tenants + 1, 7)][:BURST],),
            )
            made += 1

    async with await psycopg.AsyncConnection.connect(f"{PG} dbname={dbname}", autocommit=True) as conn:
        cpu0, wall0 = _cpu(), time.monotonic()
        tasks = [asyncio.ensure_future(subscriber(n)) for n in range(1, args.tenants + 1)]
        tasks += [asyncio.ensure_future(probe_counter()), asyncio.ensure_future(bursts(conn))]
        await asyncio.sleep(args.seconds)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await manager.stop_all()
        cpu, wall = _cpu() - cpu0, time.monotonic() - wall0
    minutes = wall / 60
    return {
        "triggers": args.tenants,
        "seconds": round(wall, 1),
        "probe_queries_per_minute": round(probes / minutes, 1),
        "events": events,  # the first probe fires once per trigger (a new watcher cannot know what it missed)
        "events_per_minute_after_first_probe": round((events - args.tenants) / minutes, 1),
        "triggerer_cpu_s_per_minute": round(cpu / minutes, 3),
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import psycopg

    args = arguments(argv)
    with scratch_database("probe") as dbname:
        set_conn("togrant_source", **pg_fields(dbname))
        with psycopg.connect(f"{PG} dbname={dbname}") as conn:
            seed(conn, args.tenants, args.lines)
            rows = conn.execute("SELECT count(*) FROM togrant.spending_lines").fetchone()
            fleet = time_query(conn, None, args.repeat)
            one = time_query(conn, ["t1"], args.repeat)
        triggers = asyncio.run(run_triggers(args, dbname))
    result = {
        "tenants": args.tenants,
        "spending_lines": rows[0] if rows else 0,
        "probe_seconds": args.probe_seconds,
        "fleet_probe": fleet,
        "gate_probe": one,
        "triggerer": triggers,
    }
    print_table(result)
    if args.output:
        args.output.write_text(json.dumps(result, indent=2))
    return result


def print_table(r: dict[str, Any]) -> None:
    t, fleet, gate = r["triggerer"], r["fleet_probe"], r["gate_probe"]
    print(f"probe cost at {r['tenants']:,} tenants ({r['spending_lines']:,} lines), every {r['probe_seconds']:g} s")
    print(f"  fleet probe query: median {fleet['median_ms']:.1f} ms, p95 {fleet['p95_ms']:.1f} ms")
    print(f"  one tenant (a run's gate): median {gate['median_ms']:.2f} ms, p95 {gate['p95_ms']:.2f} ms")
    print(
        f"  triggerer, {t['triggers']:,} triggers for {t['seconds']:g} s: {t['probe_queries_per_minute']:g} probe"
        f" queries/min, {t['events_per_minute_after_first_probe']:g} events/min after the first"
        f" probe (bursts of {BURST}),"
        f" {t['triggerer_cpu_s_per_minute']:g} CPU-s/min"
    )
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
