"""(b) the limit: the same records in raw `create` calls of 500, nothing else; (c) the hand-written
pattern: one `search` and one `create` per record. Both with plain xmlrpc.client, no ledger, no log."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import dict_row

from bench.odoo import CallCounter, RawOdoo, Target
from odoo_sync.odoo.models import ACCOUNT, LINE, PROJECT

BATCH = 500


@dataclass
class Workload:
    """The source rows as Odoo values, with account references still by code (resolved per server)."""

    plans: dict[str, Any]
    link_field: str
    projects: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    details: list[dict[str, Any]]
    lines: list[dict[str, Any]] = field(repr=False)


@dataclass
class RawFigures:
    seconds: float
    calls: CallCounter
    lines_done: int
    fixed_seconds: float = 0.0  # login, accounts and projects: what does not grow with the lines
    created: dict[str, list[int]] = field(default_factory=dict)


def load_workload(dsn: str, tenant_id: str, octx: dict[str, Any], tag: str) -> Workload:
    """Read the source once (outside any timing) and pre-build every value that needs no Odoo id.

    ``tag`` prefixes codes, names and refs so that runs sharing one (real) Odoo never find each other's records.
    """
    with psycopg.connect(dsn) as conn, conn.cursor(row_factory=dict_row) as cur:

        def rows(sql: str) -> list[dict[str, Any]]:
            cur.execute(sql, {"t": tenant_id})
            return cur.fetchall()

        projects = rows("SELECT code, name FROM togrant.projects WHERE tenant_id = %(t)s ORDER BY code")
        cats = rows("SELECT code, name FROM togrant.budget_categories WHERE tenant_id = %(t)s ORDER BY code")
        details = rows(
            "SELECT project_code || '/' || code AS code, name, category_code FROM togrant.budget_lines"
            " WHERE tenant_id = %(t)s ORDER BY 1"
        )
        lines = rows(
            "SELECT id, project_code, project_code || '/' || budget_line_code AS detail, description, date, amount"
            " FROM togrant.spending_lines WHERE tenant_id = %(t)s ORDER BY updated_at, id"
        )
    category_of = {d["code"]: d["category_code"] for d in details}
    for row in (*projects, *cats, *details):
        row["label"], row["name"] = f"{tag}{row['code']}", f"{tag}{row['name']}"
    for line in lines:
        line["vals"] = {
            "name": line["description"],
            "date": line["date"].isoformat(),
            "amount": -float(line["amount"]),
            "ref": f"{tag}{line['id']}",
        }
        line["category"] = category_of[line["detail"]]
    return Workload(octx["plans"], octx["project_link_field"], projects, cats, details, lines)


def _account_vals(rows: Sequence[dict[str, Any]], plan_id: int) -> list[dict[str, Any]]:
    return [{"name": r["name"], "code": r["label"], "plan_id": plan_id} for r in rows]


def _line_vals(w: Workload, line: dict[str, Any], ids: dict[str, dict[str, int]]) -> dict[str, Any]:
    p = w.plans
    return {
        **line["vals"],
        p["project"]["column"]: ids["project"][line["project_code"]],
        p["category"]["column"]: ids["category"][line["category"]],
        p["budget_line"]["column"]: ids["detail"][line["detail"]],
    }


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def limit(target: Target, w: Workload) -> RawFigures:
    """One login, then `create` per 500 records: accounts of the three plans, projects, lines."""
    odoo, created = RawOdoo(target), {ACCOUNT: [], PROJECT: [], LINE: []}

    def create(model: str, vals: Sequence[dict[str, Any]]) -> list[int]:
        ids = [i for chunk in _chunks(vals) for i in odoo.call(model, "create", list(chunk))]
        created[model].extend(ids)
        return ids

    started = time.perf_counter()
    odoo.login()
    ids: dict[str, dict[str, int]] = {}
    for role, rows, plan in (
        ("project", w.projects, "project"),
        ("category", w.categories, "category"),
        ("detail", w.details, "budget_line"),
    ):
        ids[role] = dict(
            zip([r["code"] for r in rows], create(ACCOUNT, _account_vals(rows, w.plans[plan]["id"])), strict=True)
        )
    create(PROJECT, [{"name": r["name"], w.link_field: ids["project"][r["code"]]} for r in w.projects])
    fixed = time.perf_counter() - started
    for chunk in _chunks(w.lines):
        create(LINE, [_line_vals(w, line, ids) for line in chunk])
    return RawFigures(time.perf_counter() - started, odoo.counter, len(w.lines), fixed, created)


def naive(target: Target, w: Workload, max_lines: int) -> RawFigures:
    """Per record: `search` for it, `create` it if absent (accounts all; lines up to ``max_lines``)."""
    odoo, created = RawOdoo(target), {ACCOUNT: [], PROJECT: [], LINE: []}

    def ensure(model: str, domain: list[Any], vals: dict[str, Any]) -> int:
        found = odoo.call(model, "search", domain, limit=1)
        if found:
            return int(found[0])
        new = int(odoo.call(model, "create", vals))
        created[model].append(new)
        return new

    started = time.perf_counter()
    odoo.login()
    ids: dict[str, dict[str, int]] = {}
    for role, rows, plan in (
        ("project", w.projects, "project"),
        ("category", w.categories, "category"),
        ("detail", w.details, "budget_line"),
    ):
        plan_id = w.plans[plan]["id"]
        ids[role] = {
            r["code"]: ensure(ACCOUNT, [("code", "=", v["code"]), ("plan_id", "=", plan_id)], v)
            for r, v in zip(rows, _account_vals(rows, plan_id), strict=True)
        }
    for r in w.projects:
        ensure(PROJECT, [("name", "=", r["name"])], {"name": r["name"], w.link_field: ids["project"][r["code"]]})
    fixed = time.perf_counter() - started
    lines = w.lines[:max_lines]
    for line in lines:
        ensure(LINE, [("ref", "=", line["vals"]["ref"])], _line_vals(w, line, ids))
    return RawFigures(time.perf_counter() - started, odoo.counter, len(lines), fixed, created)
