"""Sections 1-3: the project's sync (a) against the limit (b) and the naive pattern (c), the replay, and
the ledger/sync_log overheads; one scratch database and fresh Odoo servers per size."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg

from bench import changes, env, odoo, source
from bench.project_run import RunFigures, run_tasks
from bench.raw_runs import ACCOUNT, LINE, PROJECT, RawFigures, RawOdoo, limit, load_workload, naive

TENANT = "bench"


def measure_size(
    profile: str, n: int, naive_max: int, calls_per_second: float, revise_max: int | None = None
) -> dict[str, Any]:
    """All figures of one size under one Odoo profile."""
    with env.scratch_database(f"sync{n}") as dbname:
        dsn = env.dsn(dbname)
        counts = source.seed(dsn, TENANT, n)
        _configure(dbname, calls_per_second)
        from odoo_sync.airflow import tasks

        tasks.migrate_schema()
        a_target = odoo.start(profile)
        try:
            first, replay, server_mutations = _project_runs(a_target)
            incremental, reconcile = _cursor_runs(dsn)
            move = changes.category_move(dsn, TENANT, n)
            revised = changes.revise(dsn, TENANT, n, revise_max or n, incremental)
            server = odoo.describe(a_target)
        finally:
            if profile == "real":  # an interrupted run's lines too: the next first sync of `bench` would adopt them
                _cleanup_project_records(a_target, dsn)
            a_target.stop()
        limit_fig = _raw(profile, dsn, lambda t, w: limit(t, w))
        naive_fig = _raw(profile, dsn, lambda t, w: naive(t, w, naive_max))
    figures = _figures(n, counts, first, replay, server_mutations, limit_fig, naive_fig)
    figures["incremental"], figures["reconcile"] = changes.brief(incremental), changes.brief(reconcile)
    figures["category_move"], figures["revised"], figures["server"] = move, revised, server
    return figures


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One size's figures over repeated runs: the first run's details, the mean times, each run's own."""
    out = dict(runs[0])
    for part in ("project", "limit", "naive"):
        out[part] = {**runs[0][part], "seconds": sum(r[part]["seconds"] for r in runs) / len(runs)}
    out["revised"] = {**runs[0]["revised"], "seconds": sum(r["revised"]["seconds"] for r in runs) / len(runs)}
    out["runs"] = [
        {
            "project_s": r["project"]["seconds"],
            "limit_s": r["limit"]["seconds"],
            "naive_s": r["naive"]["seconds"],
            "a_b": r["project"]["seconds"] / r["limit"]["seconds"],
            "c_a": r["naive"]["seconds"] / r["project"]["seconds"],
            "revised_s": r["revised"]["seconds"],
            "move_mutations": r["category_move"]["mutations"],
        }
        for r in runs
    ]
    return out


def _configure(dbname: str, calls_per_second: float) -> None:
    env.set_conn("odoo_sync_db", **env.pg_fields(dbname))
    env.set_conn("togrant_source", **env.pg_fields(dbname))
    env.write_tenants_file([TENANT], Path(env.AIRFLOW_HOME) / "tenants.yaml", calls_per_second=calls_per_second)


def _project_runs(target: odoo.Target) -> tuple[RunFigures, RunFigures, int | None]:
    env.set_conn(f"odoo_{TENANT}", **target.conn_fields(TENANT))
    first = run_tasks(TENANT, "bench__first")
    if target.server is not None:
        target.server.reset_calls()
    replay = run_tasks(TENANT, "bench__replay")
    on_server = None
    if target.server is not None:  # the server's own count, as a cross-check of the client-side one
        on_server = sum(target.server.count(method=m) for m in odoo.MUTATIONS)
    return first, replay, on_server


def _cursor_runs(dsn: str) -> tuple[RunFigures, RunFigures]:
    """An incremental run whose lookback window covers every synced line, then a full reconciliation."""
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE odoo_sync.watermark SET watermark = %s", (source.START,))
    incremental = run_tasks(TENANT, "bench__incremental")
    reconcile = run_tasks(TENANT, "bench__reconcile", {"reconcile": True})
    return incremental, reconcile


def _raw(profile: str, dsn: str, run: Any) -> RawFigures:
    """A fresh server (same profile); plans resolved and source read before the clock starts."""
    from odoo_sync.airflow import tasks
    from odoo_sync.store.bindings import forget

    target = odoo.start(profile)
    try:
        env.set_conn(f"odoo_{TENANT}", **target.conn_fields(TENANT))
        with psycopg.connect(dsn) as conn:
            forget(conn, TENANT)  # a fresh server: the tenant is bound anew (the project's runs are measured)
        octx = tasks.check_odoo(TENANT, {"run_id": "bench__setup"})
        tag = f"b{uuid.uuid4().hex[:6]}:"
        try:
            figures: RawFigures = run(target, load_workload(dsn, TENANT, octx, tag))
        except Exception:
            if profile == "real":  # a run that failed halfway: what it created carries its tag
                _unlink(target, _tagged(target, tag))
            raise
        if profile == "real":
            _unlink(target, figures.created)
        return figures
    finally:
        target.stop()


def _alive(raw: RawOdoo, model: str, ids: list[int]) -> list[int]:
    """These ids that still exist, archived ones too (a search by id: ``exists`` is private on Odoo 19)."""
    return list(raw.call(model, "search", [("id", "in", ids)], context={"active_test": False}))


def _tagged(target: odoo.Target, tag: str) -> dict[str, list[int]]:
    """Records of a raw run, found by the tag its refs, codes and names start with."""
    raw = RawOdoo(target)
    raw.login()
    field = {LINE: "ref", ACCOUNT: "code", PROJECT: "name"}
    return {m: raw.call(m, "search", [(f, "=like", f"{tag}%")]) for m, f in field.items()}


def _cleanup_project_records(target: odoo.Target, dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT odoo_model, odoo_id FROM odoo_sync.ledger WHERE operation LIKE 'create%' AND state = 'done'"
        ).fetchall()
    created: dict[str, list[int]] = {}
    for model, odoo_id in rows:
        created.setdefault(model, []).append(int(odoo_id))
    _unlink(target, created)


def _unlink(target: odoo.Target, created: dict[str, list[int]]) -> None:
    """Remove what a run created in a real Odoo: lines, then projects, then accounts.

    Only what still exists: Odoo 17 removes a project's analytic account with the project, and a record
    removed by hand (or by an earlier, interrupted clean-up) must not stop the rest.
    """
    raw = RawOdoo(target)
    raw.login()
    for model in (LINE, PROJECT, ACCOUNT):
        ids = created.get(model, [])
        for i in range(0, len(ids), 5000):
            alive = _alive(raw, model, ids[i : i + 5000])
            if alive:
                raw.call(model, "unlink", alive)


def _figures(
    n: int,
    counts: dict[str, int],
    first: RunFigures,
    replay: RunFigures,
    server_mutations: int | None,
    lim: RawFigures,
    nai: RawFigures,
) -> dict[str, Any]:
    naive_s, naive_calls, extrapolated = _naive_at(n, nai)
    db = first.db
    return {
        "lines": n,
        "source": counts,
        "project": {
            "seconds": first.seconds,
            "calls": first.calls.total,
            "calls_by_method": first.calls.by_method,
            "step_seconds": first.step_seconds,
            "summary": first.summary,
        },
        "limit": {"seconds": lim.seconds, "calls": lim.calls.total, "calls_by_method": lim.calls.by_method},
        "naive": {
            "seconds": naive_s,
            "calls": naive_calls,
            "extrapolated_from_lines": nai.lines_done if extrapolated else None,
            "measured_seconds": nai.seconds,
            "measured_calls": nai.calls.total,
        },
        "replay": {
            "seconds": replay.seconds,
            "calls": replay.calls.total,
            "mutations": replay.calls.mutations,
            "mutations_seen_by_server": server_mutations,
            "calls_by_method": replay.calls.by_method,
        },
        "overheads": {
            "ledger_seconds": db.total("ledger."),
            "ledger_statements": db.count("ledger."),
            "sync_log_seconds": db.total("sync_log."),
            "sync_log_copies": db.count("sync_log."),
            "commits": db.commits,
            "by_method_seconds": db.seconds,
        },
    }


def _naive_at(n: int, nai: RawFigures) -> tuple[float, int, bool]:
    """Naive time and calls for n lines; linear from the lines measured when fewer were run."""
    if nai.lines_done >= n:
        return nai.seconds, nai.calls.total, False
    per_line = (nai.seconds - nai.fixed_seconds) / nai.lines_done
    line_calls = nai.calls.by_method.get(f"{LINE}.search", 0) + nai.calls.by_method.get(f"{LINE}.create", 0)
    calls = nai.calls.total - line_calls + 2 * n
    return nai.fixed_seconds + per_line * n, calls, True
