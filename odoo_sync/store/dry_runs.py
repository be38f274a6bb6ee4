"""odoo_sync.dry_run: each dry-run task's plan, kept for the health page (finance reads it before a real run)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from odoo_sync.store.dashboard import Tenants, scope_params
from odoo_sync.store.sync_log import RunContext

_INSERT = "INSERT INTO odoo_sync.dry_run (tenant_id, dag_id, run_id, summary) VALUES (%s, %s, %s, %s)"
_RECENT = """
SELECT tenant_id, run_id, max(created_at) AS created_at, jsonb_agg(summary ORDER BY id) AS tasks
FROM odoo_sync.dry_run
WHERE created_at > now() - interval '14 days' AND (%(every)s OR tenant_id = ANY(%(tenants)s))
GROUP BY tenant_id, run_id
ORDER BY max(created_at) DESC
LIMIT %(limit)s
"""


def save_dry_run(conn: psycopg.Connection, tenant_id: str, run: RunContext, summary: dict[str, Any]) -> None:
    """Keep a task's dry run (``DryRun.as_dict()``) and commit; a plan without entities is not kept."""
    if not summary["entities"]:
        return
    conn.execute(_INSERT, (tenant_id, run.dag_id, run.run_id, Jsonb(summary)))
    conn.commit()


def recent(conn: psycopg.Connection, tenants: Tenants, limit: int = 20) -> list[dict[str, Any]]:
    """The latest dry runs (two weeks) of ``tenants`` (None: all), one row per run with its plans merged."""
    params = {**scope_params(tenants), "limit": limit}
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(_RECENT, params)
        return [_merged(row) for row in cur.fetchall()]


def _merged(row: dict[str, Any]) -> dict[str, Any]:
    entities: dict[str, dict[str, int]] = {}
    money: dict[str, str] = {}
    for task in row.pop("tasks"):
        for name, plan in task.get("entities", {}).items():
            entities[name] = plan["counts"]
        money.update(task.get("money", {}).get("project", {}))
    return {**row, "entities": entities, "money_per_project": money}
