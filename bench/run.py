"""Benchmarks of togrant-odoo-sync: `python -m bench.run [--full] [--only SECTION ...]`.

Prints the tables and the targets (PASS/FAIL) and writes bench/results.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bench.env  # noqa: F401  # first: Airflow settings before anything imports Airflow
from bench import health, memory, odoo, parse, report, sync, targets

SECTIONS = ("sync", "parse", "health", "memory")
RESULTS = Path(__file__).resolve().parent / "results.json"


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--full", action="store_true", help="add 50,000 lines and the 1,000,000-line memory run")
    p.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="sections to run")
    p.add_argument("--sizes", type=int, nargs="+", help="line counts for the sync (default 1000 10000 [50000])")
    p.add_argument("--memory-lines", type=int, default=1_000_000, help="lines of the memory run (with --full)")
    p.add_argument("--calls-per-second", type=float, default=20.0, help="the tenant's throttle (config default 20)")
    p.add_argument("--repeat", type=int, default=2, help="runs per size (the spread between them is printed)")
    p.add_argument("--output", type=Path, default=None, help="default bench/results.json (a partial run: stdout only)")
    return p.parse_args(argv)


def profiles() -> list[str]:
    return ["real"] if odoo.real_odoo_configured() else ["fake", "odoo17-model"]


def naive_cap(profile: str) -> int:
    """Lines the naive pattern really runs (27 ms a line on Odoo 17: 10,000 lines would take 4.5 minutes)."""
    return 10_000 if profile == "fake" else 1_000


def revise_cap(profile: str) -> int | None:
    """Revised lines really run: all of them up to the 10,000 the target is set at (``load``, 2,000 a call)."""
    return targets.REFERENCE_LINES


def run_sync(args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    sizes = args.sizes or ([1_000, 10_000, 50_000] if args.full else [1_000, 10_000])
    results: dict[str, list[dict[str, Any]]] = {}
    for profile in profiles():
        results[profile] = []
        for n in sizes:
            runs = []
            for _ in range(max(1, args.repeat)):
                started = time.monotonic()
                cps = args.calls_per_second
                runs.append(sync.measure_size(profile, n, naive_cap(profile), cps, revise_cap(profile)))
                print(f"  sync [{profile}] {n:,} lines measured in {time.monotonic() - started:.0f} s", flush=True)
            results[profile].append(sync.combine(runs))
    return results


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    logging.basicConfig(level=logging.WARNING)
    started = time.monotonic()
    out: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "odoo17_cost_model_ms": {
            "create_per_call": odoo.CREATE_FIXED_MS,
            "create_per_record": odoo.PER_RECORD_MS,
            "other_call": odoo.CALL_MS,
            "read_per_row": odoo.READ_ROW_MS,
            "authenticate": odoo.cost_ms("common", "authenticate", None, None),
        },
        "args": {"full": args.full, "only": args.only, "calls_per_second": args.calls_per_second},
    }
    print("togrant-odoo-sync benchmarks (figures on this machine; see bench/README.md)", flush=True)
    if "sync" in args.only:
        out["sync"] = run_sync(args)
    if "parse" in args.only:
        out["parse"] = parse.measure((10, 200, 1000))
    if "health" in args.only:
        out["health"] = health.measure(500, 0.10, 0.10, servers=8, profile="odoo17-model")
    if "memory" in args.only and args.full:
        out["memory"] = memory.measure(args.memory_lines)
    out["seconds"] = time.monotonic() - started
    checks = [c for p, sizes in out.get("sync", {}).items() for c in targets.sync_checks(p, sizes)]
    checks += targets.other_checks(out.get("parse", []), out.get("health"), out.get("memory"))
    out["targets"] = [c.as_dict() for c in checks]
    print("\n".join(render(out, checks)))
    # A partial run (--only) must not replace the published figures of a whole one.
    output = args.output or (RESULTS if set(args.only) == set(SECTIONS) else None)
    if output is None:
        print(f"\nfinished in {out['seconds']:.0f} s (partial run: pass --output FILE to keep its JSON)")
        return
    output.write_text(json.dumps(out, indent=2, default=str) + "\n")
    print(f"\nwrote {output} in {out['seconds']:.0f} s")


def render(out: dict[str, Any], checks: list[targets.Check]) -> list[str]:
    lines: list[str] = []
    for profile, sizes in out.get("sync", {}).items():
        lines += report.sync_table(profile, sizes)
    for profile, sizes in out.get("sync", {}).items():
        lines += report.replay_table(profile, sizes)
    for profile, sizes in out.get("sync", {}).items():
        lines += report.overhead_table(profile, sizes)
    if "parse" in out:
        lines += report.parse_table(out["parse"])
    if "health" in out:
        lines += report.health_table(out["health"])
    if "sync" in out or "memory" in out:
        lines += report.memory_table(out.get("memory"))
    return lines + report.target_lines(checks)


if __name__ == "__main__":
    main()
