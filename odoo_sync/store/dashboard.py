"""The dashboard's reads: tenants' health states (one statement over health_state, drift_check, watermark,
change_marker and record) and a filtered, paged slice of sync_log. Parameters only; the dry runs it shows:
``store.dry_runs``.

Every read takes the tenants the viewer may see (``tenants``: a set; ``None`` only where no login applies): the
page shows a user the tenants whose DAGs Airflow lets them read, nothing else (``dashboard.app``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

OUTCOMES = ("ok", "skipped", "error")
MAX_PAGE_SIZE = 500
LOG_COLUMNS = (
    "id",
    "ts",
    "tenant_id",
    "entity_type",
    "entity_id",
    "operation",
    "idempotency_key",
    "odoo_model",
    "method",
    "http_status",
    "response_bytes",
    "latency_ms",
    "outcome",
    "error",
    "odoo_id",
    "call_id",
    "dag_id",
    "run_id",
    "try_number",
)
STATE_ORDER = "CASE state WHEN 'red' THEN 0 WHEN 'amber' THEN 1 ELSE 2 END"
Tenants = frozenset[str] | None  # the tenants a viewer may see; None: every tenant (no login in play)


def scope_params(tenants: Tenants) -> dict[str, Any]:
    """``(%(every)s OR tenant_id = ANY(%(tenants)s))``'s parameters."""
    return {"every": tenants is None, "tenants": sorted(tenants or ())}


@dataclass(frozen=True, slots=True)
class LogFilter:
    """What the sync-log browser asks for. ``key`` ending in ``*`` matches keys starting with the rest."""

    tenant: str | None = None
    key: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1
    page_size: int = 50
    tenants: Tenants = None  # the viewer's tenants: set by the app from Airflow's DAG access, never by the query

    def where(self) -> tuple[sql.Composable, list[Any]]:
        clauses: list[sql.Composable] = []
        params: list[Any] = []
        for column, op, value in self._conditions():
            template = "{} = ANY(%s)" if op == "ANY" else "{} {} %s"
            clauses.append(sql.SQL(template).format(sql.Identifier(column), sql.SQL(op)))
            params.append(value)
        if not clauses:
            return sql.SQL("TRUE"), params
        return sql.SQL(" AND ").join(clauses), params

    def _conditions(self) -> list[tuple[str, str, Any]]:
        conditions: list[tuple[str, str, Any]] = []
        if self.tenants is not None:
            conditions.append(("tenant_id", "ANY", sorted(self.tenants)))
        if self.tenant:
            conditions.append(("tenant_id", "=", self.tenant))
        if self.key and self.key.endswith("*"):
            prefix = self.key[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(("idempotency_key", "LIKE", prefix + "%"))
        elif self.key:
            conditions.append(("idempotency_key", "=", self.key))
        if self.outcome:
            conditions.append(("outcome", "=", self.outcome))
        if self.since:
            conditions.append(("ts", ">=", self.since))
        if self.until:
            conditions.append(("ts", "<", self.until))
        return conditions


# Per tenant: its health, its latest drift check, its last successful sync (the line cursor's last advance)
# and its lines waiting (rejected rows and refused removals, retried by every run). One statement for 500 tenants.
_TENANTS = f"""
SELECT h.*, d.drift_state, d.drift_checked_at, d.drift_summary,
       w.updated_at AS last_sync_at, coalesce(r.waiting, 0) AS lines_waiting,
       m.latest_change AS last_change_at, m.seen_at AS change_seen_at,
       (m.synced_marker IS NOT NULL AND m.synced_marker = m.seen_marker) AS change_synced
FROM odoo_sync.health_state h
LEFT JOIN LATERAL (
    SELECT c.state AS drift_state, c.checked_at AS drift_checked_at, c.findings->>'summary' AS drift_summary
    FROM odoo_sync.drift_check c
    WHERE c.tenant_id = h.tenant_id ORDER BY c.checked_at DESC, c.id DESC LIMIT 1
) d ON true
LEFT JOIN odoo_sync.watermark w ON w.tenant_id = h.tenant_id AND w.entity_type = 'line'
LEFT JOIN odoo_sync.change_marker m ON m.tenant_id = h.tenant_id
LEFT JOIN (
    SELECT tenant_id, count(*) AS waiting FROM odoo_sync.record
    WHERE entity_type = 'line' AND error IS NOT NULL AND (in_source OR state = 'present') GROUP BY tenant_id
) r ON r.tenant_id = h.tenant_id
WHERE (%(every)s OR h.tenant_id = ANY(%(tenants)s))
ORDER BY {STATE_ORDER}, h.tenant_id
"""  # noqa: S608 - fixed text


def health_states(conn: psycopg.Connection, tenants: Tenants) -> list[dict[str, Any]]:
    """Each of ``tenants``' latest evaluated state, drift check, last successful sync and lines waiting; red first."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(_TENANTS, scope_params(tenants))
        return cur.fetchall()


def sync_log_page(conn: psycopg.Connection, flt: LogFilter) -> tuple[list[dict[str, Any]], bool]:
    """One page of sync_log, newest first, and whether another page follows."""
    where, params = flt.where()
    query = sql.SQL(
        "SELECT {cols} FROM odoo_sync.sync_log WHERE {where} ORDER BY ts DESC, id DESC LIMIT %s OFFSET %s"
    ).format(cols=sql.SQL(", ").join(map(sql.Identifier, LOG_COLUMNS)), where=where)
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, [*params, flt.page_size + 1, (flt.page - 1) * flt.page_size])
        rows = cur.fetchall()
    return rows[: flt.page_size], len(rows) > flt.page_size


def log_tenants(conn: psycopg.Connection, tenants: Tenants) -> list[str]:
    """Tenants for the filter's drop-down: the health table's (configured) tenants, of ``tenants``."""
    query = (
        "SELECT tenant_id FROM odoo_sync.health_state WHERE (%(every)s OR tenant_id = ANY(%(tenants)s))"
        " ORDER BY tenant_id"
    )
    return [r[0] for r in conn.execute(query, scope_params(tenants))]
