"""What every scenario asserts: one Odoo record per key, no line lost, the ledger agrees, the guard held."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

from odoo_sync.odoo import guard
from tests.reliability import figures
from tests.reliability.seed import BUDGET_LINES, CATEGORIES, PROJECTS

LINE, ACCOUNT, PROJECT = "account.analytic.line", "account.analytic.account", "project.project"


@dataclass
class Audit:
    duplicates: int
    lost: int
    records: int
    ledger_mismatches: int

    def assert_clean(self) -> None:
        assert (self.duplicates, self.lost, self.ledger_mismatches) == (0, 0, 0), self


def audit(
    records: dict[str, list[dict[str, Any]]], db: psycopg.Connection, tenant: str, line_ids: Iterable[str]
) -> Audit:
    """Compare Odoo's records (by model) with the source and the ledger; count into the suite's figures."""
    lines, accounts, projects = records[LINE], records[ACCOUNT], records[PROJECT]
    refs = Counter(r["ref"] for r in lines)
    codes = Counter((r["code"], _id(r["plan_id"])) for r in accounts if r.get("code"))
    names = Counter(r["name"] for r in projects)
    duplicates = sum(n - 1 for c in (refs, codes, names) for n in c.values() if n > 1)
    expected_refs = {f"{tenant}:line:{i}:create" for i in line_ids}
    expected_codes = {*PROJECTS, *(c for c, _ in CATEGORIES), *(f"{p}/{b[0]}" for p in PROJECTS for b in BUDGET_LINES)}
    lost = len(expected_refs - set(refs)) + len(expected_codes - {c for c, _ in codes}) + len(PROJECTS) - len(names)
    by_id = {(LINE, r["id"]) for r in lines} | {(ACCOUNT, r["id"]) for r in accounts}
    by_id |= {(PROJECT, r["id"]) for r in projects}
    done = db.execute(
        "SELECT odoo_model, odoo_id FROM odoo_sync.ledger WHERE tenant_id = %s AND state = 'done'"
        " AND operation = 'create'",
        (tenant,),
    ).fetchall()
    db.commit()
    mismatches = sum(1 for model, odoo_id in done if (model, odoo_id) not in by_id)
    n_records = len(lines) + len(accounts) + len(projects)
    figures.add("records_checked", n_records)
    figures.add("keys_checked", len(done))
    figures.add("duplicates", duplicates)
    figures.add("lost", lost)
    return Audit(duplicates, lost, n_records, mismatches)


def records_of(server: Any) -> dict[str, list[dict[str, Any]]]:
    """An in-process FakeOdoo's records of the three models the sync writes."""
    return {m: server.records(m) for m in (LINE, ACCOUNT, PROJECT)}


# JSON-2's login: the API key's user context (XML-RPC's common.authenticate), a read.
JSON2_LOGIN = ("res.users", "context_get")


def forbidden_calls(calls: Iterable[Any]) -> list[Any]:
    """Calls that reached Odoo (XML-RPC's object service or JSON-2) and were neither a read nor a
    create/write/unlink on the three models."""
    bad = []
    for c in calls:
        if c.service not in ("object", "json2") or c.model_method is None or c.model_method in guard.READ_METHODS:
            continue
        if c.service == "json2" and (c.model, c.model_method) == JSON2_LOGIN:
            continue
        if c.model_method == "create" and c.model in guard.SETUP_CREATABLE:
            continue  # only with the tenant's opt-in create_plans (never set in this suite)
        if c.model_method not in guard.MUTATING_METHODS or c.model not in guard.WRITABLE_MODELS:
            bad.append(c)
    return bad


def unmeasured_calls(db: psycopg.Connection, tenant: str) -> int:
    """sync_log rows of calls that were answered (ok) yet lack their HTTP status, bytes or latency."""
    n = db.execute(
        "SELECT count(*) FROM odoo_sync.sync_log WHERE tenant_id = %s AND outcome = 'ok' AND method <> 'validate'"
        " AND (http_status IS DISTINCT FROM 200 OR response_bytes IS NULL OR response_bytes <= 0"
        " OR latency_ms IS NULL OR latency_ms < 0)",
        (tenant,),
    ).fetchone()[0]
    db.commit()
    return int(n)


def failed_calls(db: psycopg.Connection, tenant: str) -> list[tuple[Any, ...]]:
    """One row per failed call (rows of a batch share call_id): method, http_status, latency_ms, error."""
    rows = db.execute(
        "SELECT call_id, min(method), min(http_status), min(latency_ms), min(error), count(*)"
        " FROM odoo_sync.sync_log WHERE tenant_id = %s AND outcome = 'error' AND method <> 'validate'"
        " GROUP BY call_id ORDER BY min(ts)",
        (tenant,),
    ).fetchall()
    db.commit()
    return rows


def _id(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value
