"""Print the benchmark's figures as fixed-width tables."""

from __future__ import annotations

from typing import Any

from bench.targets import Check

PROFILES = {
    "fake": "loopback test server, no added latency (microsecond answers: shows the project's own overhead)",
    "odoo17-model": "loopback test server stretched to Odoo 17's measured costs (timings.json; see README)",
    "real": "a real Odoo (ODOO_TEST_URL)",
}


MUTATING = ("create", "write", "unlink")


def sync_table(profile: str, sizes: list[dict[str, Any]]) -> list[str]:
    server = sizes[0].get("server", "") if sizes else ""
    out = [
        f"\n1. Sync vs the limit [{profile}: {PROFILES[profile]}] {server}",
        f"{'lines':>8} | {'(a) project s':>13} {'calls':>6} {'/1k':>6} | {'(b) limit s':>11} {'calls':>6} "
        f"{'/1k':>6} | {'(c) naive s':>11} {'calls':>7} {'/1k':>7} | {'a/b':>5} {'c/a':>6}",
    ]
    for s in sizes:
        n, a, b, c = s["lines"], s["project"], s["limit"], s["naive"]
        star = "*" if c["extrapolated_from_lines"] else " "
        out.append(
            f"{n:>8,} | {a['seconds']:>13.2f} {a['calls']:>6} {a['calls'] * 1000 / n:>6.1f} | {b['seconds']:>11.2f} "
            f"{b['calls']:>6} {b['calls'] * 1000 / n:>6.1f} | {c['seconds']:>10.2f}{star} {c['calls']:>7} "
            f"{c['calls'] * 1000 / n:>7.0f} | {a['seconds'] / b['seconds']:>5.2f} {c['seconds'] / a['seconds']:>6.1f}"
        )
    out += spread_lines(sizes)
    extrapolated = [s["naive"]["extrapolated_from_lines"] for s in sizes if s["naive"]["extrapolated_from_lines"]]
    if extrapolated:
        out.append(
            f"   * naive measured on the first {extrapolated[0]:,} lines, time extrapolated linearly; calls exact"
        )
    return out


def spread_lines(sizes: list[dict[str, Any]]) -> list[str]:
    """Each run of a size, and the spread between them: a change smaller than the spread is noise."""
    out = []
    for s in sizes:
        runs = s.get("runs", [])
        if len(runs) < 2:
            continue
        ab = [r["a_b"] for r in runs]
        ca = [r["c_a"] for r in runs]
        each = "; ".join(f"a {r['project_s']:.2f} s, b {r['limit_s']:.2f} s, a/b {r['a_b']:.2f}" for r in runs)
        out.append(
            f"   {s['lines']:,} lines, {len(runs)} runs: {each} | a/b spread {max(ab) - min(ab):.2f}, "
            f"c/a {min(ca):.1f}-{max(ca):.1f}"
        )
    return out


def changes_table(profile: str, sizes: list[dict[str, Any]]) -> list[str]:
    """After the first sync: a category moved over 2,000 lines, and lines revised with different values each."""
    out = [
        f"\n2c. Changes after the first sync [{profile}] (each run reads every line of the window again)",
        f"{'lines':>8} | {'change':<24} {'lines':>7} {'seconds':>9} {'calls':>6} {'mutations':>10} | by method",
    ]
    for s in sizes:
        move, rev = s.get("category_move"), s.get("revised")
        if move:
            muts = {k: v for k, v in move["calls_by_method"].items() if k.rsplit(".", 1)[-1] in MUTATING}
            written = move.get("lines_written") or move["lines_moved"]
            out.append(
                f"{s['lines']:>8,} | {'category move':<24} {written:>7,} {move['seconds']:>9.2f} "
                f"{move['calls']:>6} {move['mutations']:>10} | {muts}"
            )
        if rev:
            star = "*" if rev["extrapolated_from_lines"] else " "
            create_s = s["project"]["seconds"] * rev["lines_wanted"] / s["lines"]
            out.append(
                f"{s['lines']:>8,} | {'revised, values per line':<24} {rev['lines_wanted']:>7,} "
                f"{rev['seconds']:>8.2f}{star} {rev['calls']:>6} {rev['mutations']:>10} | "
                f"{rev['seconds'] / create_s:.1f}x creating them"
                f" ({create_s:.2f} s)"
            )
            if rev["extrapolated_from_lines"]:
                out.append(
                    f"           * {rev['lines_revised']:,} lines revised ({rev['seconds_measured']:.2f} s), the rest "
                    f"extrapolated linearly over a nothing-changed run; calls and mutations are the measured run's"
                )
    return out


def replay_table(profile: str, sizes: list[dict[str, Any]]) -> list[str]:
    out = [
        f"\n2. Replay of the same interval [{profile}]",
        f"{'lines':>8} | {'seconds':>8} {'calls':>6} {'calls/500':>10} {'mutations':>10} {'(server saw)':>13}",
    ]
    for s in sizes:
        r, n = s["replay"], s["lines"]
        seen = "-" if r["mutations_seen_by_server"] is None else r["mutations_seen_by_server"]
        out.append(
            f"{n:>8,} | {r['seconds']:>8.2f} {r['calls']:>6} {r['calls'] * 500 / n:>10.2f} "
            f"{r['mutations']:>10} {seen!s:>13}"
        )
    return out + cursor_table(profile, sizes) + changes_table(profile, sizes)


def cursor_table(profile: str, sizes: list[dict[str, Any]]) -> list[str]:
    """The durable cursor's overlap and the reconciliation over synced lines (nothing changed)."""
    out = [
        f"\n2b. Incremental run whose lookback covers every synced line, and a reconciliation [{profile}]",
        f"{'lines':>8} | {'run':<12} {'lines read':>10} {'seconds':>8} {'calls':>6} {'mutations':>10}",
    ]
    for s in sizes:
        for name in ("incremental", "reconcile"):
            r = s.get(name)
            if r:
                out.append(
                    f"{s['lines']:>8,} | {name:<12} {r['lines_seen'] or 0:>10,} {r['seconds']:>8.2f} {r['calls']:>6} "
                    f"{r['mutations']:>10}"
                )
    return out


def overhead_table(profile: str, sizes: list[dict[str, Any]]) -> list[str]:
    out = [
        f"\n3. Ledger and sync_log writes in the first run [{profile}], per 1,000 lines",
        f"{'lines':>8} | {'ledger ms':>10} {'sync_log ms':>12} {'share of (a)':>13} | {'ledger stmts':>13} "
        f"{'COPYs':>6} {'commits':>8}",
    ]
    for s in sizes:
        o, n, k = s["overheads"], s["lines"], 1000 / s["lines"]
        share = (o["ledger_seconds"] + o["sync_log_seconds"]) / s["project"]["seconds"]
        out.append(
            f"{n:>8,} | {o['ledger_seconds'] * 1000 * k:>10.0f} {o['sync_log_seconds'] * 1000 * k:>12.0f} "
            f"{share:>12.0%} | {o['ledger_statements'] * k:>13.1f} {o['sync_log_copies'] * k:>6.1f} "
            f"{o['commits'] * k:>8.1f}"
        )
    out.append("   (statements, COPYs and commits are per 1,000 lines too; each statement covers a whole batch)")
    return out


def parse_table(rows: list[dict[str, Any]]) -> list[str]:
    out = [
        "\n4. Parsing dags/ (DagBag, fresh process per size)",
        f"{'tenants':>8} | {'DagBag s':>9} {'tenant file s':>14} {'DAGs':>6} {'errors':>7} | {'import airflow s':>17}",
    ]
    for p in rows:
        out.append(
            f"{p['tenants']:>8} | {p['dagbag_s']:>9.2f} {p['files_s'].get('odoo_sync_tenants.py', 0):>14.2f} "
            f"{p['dags']:>6} {p['import_errors']:>7} | {p['import_airflow_s']:>17.2f}"
        )
    return out


def health_table(h: dict[str, Any]) -> list[str]:
    return [
        "\n5. Health at scale (odoo_sync.health.pinger.ping_all, loopback only)",
        f"   {h['tenants']} tenants ({h['dead']} refused, {h['hung']} hung, the rest over {h['servers']} servers "
        f"[{h['profile']}]), timeout {h['timeout_s']:g} s, concurrency {h['concurrency']}",
        f"   wall {h['seconds']:.1f} s; outcomes {h['outcomes']}; peak RSS {h['peak_rss_mb']:.0f} MB "
        f"({h['rss_before_ping_mb']:.0f} MB before the pings)",
    ]


def memory_table(m: dict[str, Any] | None) -> list[str]:
    if m is None:
        return ["\n6. Memory: not run (use --full)"]
    limit = m.get("limit")
    return [
        f"\n6. Memory (project sync in its own process; {m.get('server') or 'test server in another'})",
        f"   {m['lines']:,} lines: peak RSS {m['peak_rss_mb']:.0f} MB ({m['rss_before_sync_mb']:.0f} MB before the "
        f"sync), {m['seconds']:.0f} s, {m['calls']} calls, {m['created']:,} lines created",
        *(
            [
                f"   Odoo's limit (batch create, 500 a call): {limit['seconds']:.0f} s, {limit['calls']} calls; "
                f"a/b {m['a_b']:.2f}"
            ]
            if limit
            else []
        ),
        *(
            f"   reconciliation, {r['changed']:,} lines changed: {r['seconds']:.0f} s, {r['odoo_calls']} Odoo calls "
            f"({r['calls_per_500_changed']:.0f} per 500 changed), {r['mutations']} mutations, "
            f"peak RSS {r['peak_rss_mb']:.0f} MB (own process)"
            for r in m.get("reconcile", [])
        ),
    ]


def target_lines(checks: list[Check]) -> list[str]:
    return ["\nTargets", *(c.line() for c in checks)]
