"""The drift check's SQL: what the record store says the sync wrote, the checks, the incidents, the repair marks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from odoo_sync.store.incidents import Incident, IncidentTable

AccountTotals = dict[tuple[str, int], Decimal]  # (plan role, Odoo account id) -> amount
RecordRef = tuple[str, str]  # (entity type, entity id)
_SYNCED = (
    "SELECT (vals->>%(column)s)::bigint, sum((vals->>'amount')::numeric) FROM odoo_sync.record"
    " WHERE tenant_id = %(tenant)s AND entity_type = 'line' AND state = 'present' AND vals IS NOT NULL"
    " GROUP BY 1"
)
_PRESENT = (
    "SELECT entity_id, odoo_id, coalesce((vals->>'active')::boolean, true) FROM odoo_sync.record"
    " WHERE tenant_id = %s AND entity_type = %s AND state = 'present' AND odoo_id > %s ORDER BY odoo_id LIMIT %s"
)
_CODES = (
    "SELECT entity_type, odoo_id, entity_id FROM odoo_sync.record"
    " WHERE tenant_id = %s AND entity_type = ANY(%s) AND odoo_id IS NOT NULL"
)
_SAVE = (
    "INSERT INTO odoo_sync.drift_check (tenant_id, checked_at, state, totals_drift, totals_pending, missing,"
    " lines_waiting, accounts, findings, error, dag_id, run_id)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_LATEST = (
    "SELECT state, checked_at, findings FROM odoo_sync.drift_check WHERE tenant_id = %s"
    " ORDER BY checked_at DESC, id DESC LIMIT 1"
)


@dataclass(frozen=True, slots=True)
class DriftCheck:
    """A drift_check row: one per check of a tenant (``state`` error: the check itself failed)."""

    tenant_id: str
    checked_at: datetime
    state: str
    totals_drift: int  # plan totals changed in Odoo by hand
    totals_pending: int  # plan totals the next sync writes
    missing: int  # records deleted, archived or restored in Odoo
    lines_waiting: int | None
    accounts: int
    findings: dict[str, Any]  # the differences as JSON (drift.report.DriftReport.findings)
    error: str | None = None
    dag_id: str | None = None
    run_id: str | None = None


def synced_totals(conn: psycopg.Connection, tenant_id: str, columns: Mapping[str, str]) -> AccountTotals:
    """Per plan account, the sum of the amounts the sync last wrote on the tenant's present lines.

    ``columns``: plan role -> the column of analytic lines that plan fills.
    """
    totals: AccountTotals = {}
    for role, column in columns.items():
        for account, amount in conn.execute(_SYNCED, {"column": column, "tenant": tenant_id}):
            if account is not None:
                totals[(role, int(account))] = Decimal(amount)
    conn.commit()
    return totals


def account_codes(
    conn: psycopg.Connection, tenant_id: str, entity_role: Mapping[str, str]
) -> dict[tuple[str, int], str]:
    """(plan role, Odoo account id) -> the source code of the account, for people to read.

    ``entity_role``: the entity whose records are a plan's accounts -> that plan's role.
    """
    rows = conn.execute(_CODES, (tenant_id, list(entity_role))).fetchall()
    conn.commit()
    return {(entity_role[entity], int(odoo_id)): code for entity, odoo_id, code in rows}


def present_records(
    conn: psycopg.Connection, tenant_id: str, entity_type: str, chunk: int = 5000
) -> Iterator[list[tuple[str, int, bool]]]:
    """The records the sync believes are in Odoo: (entity id, Odoo id, written active flag), in chunks.

    Keyset pages, each its own statement: the connection stays free for the sync_log rows of the reads.
    """
    after = -1
    while True:
        rows = conn.execute(_PRESENT, (tenant_id, entity_type, after, chunk)).fetchall()
        conn.commit()
        if not rows:
            return
        after = int(rows[-1][1])
        yield [(str(r[0]), int(r[1]), bool(r[2])) for r in rows]


def save_check(conn: psycopg.Connection, check: DriftCheck) -> None:
    """Append the check's row and commit."""
    c = check
    row = (c.tenant_id, c.checked_at, c.state, c.totals_drift, c.totals_pending, c.missing, c.lines_waiting)
    conn.execute(_SAVE, (*row, c.accounts, Jsonb(c.findings), c.error, c.dag_id, c.run_id))
    conn.commit()


def latest_check(conn: psycopg.Connection, tenant_id: str) -> tuple[str, datetime, dict[str, Any]] | None:
    """The tenant's latest check: (state, checked_at, findings); None if it was never checked."""
    row = conn.execute(_LATEST, (tenant_id,)).fetchone()
    conn.commit()
    return (row[0], row[1], row[2]) if row else None


# -- incidents: one open per tenant (a unique index), paged once ---------------------------------------
_COLUMNS = "id, tenant_id, drifting_since, alerted_at, resolved_at, recovery_sent_at, summary"
_START = (
    "INSERT INTO odoo_sync.drift_incident (tenant_id, drifting_since, summary) VALUES (%s, %s, %s)"  # noqa: S608
    " ON CONFLICT (tenant_id) WHERE resolved_at IS NULL DO UPDATE SET summary = EXCLUDED.summary"
    f" RETURNING {_COLUMNS}"
)
INCIDENTS = IncidentTable("drift_incident", _COLUMNS)


def open_incident(conn: psycopg.Connection, tenant_id: str) -> Incident | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM odoo_sync.drift_incident WHERE tenant_id = %s AND resolved_at IS NULL",  # noqa: S608
        (tenant_id,),
    ).fetchone()
    conn.commit()
    return Incident(*row) if row else None


def start_incident(conn: psycopg.Connection, tenant_id: str, since: datetime, summary: str) -> Incident:
    """Record a drift episode; a retried check finds the same row and refreshes its summary."""
    row = conn.execute(_START, (tenant_id, since, summary)).fetchone()
    conn.commit()
    assert row is not None
    return Incident(*row)


# -- repair: marks in the record store that the next reconciliation acts on --------------------------
def forget_missing(
    conn: psycopg.Connection, tenant_id: str, deleted: Sequence[RecordRef], changed: Sequence[RecordRef]
) -> int:
    """Deleted records become absent (the next reconciliation creates them again under a new generation);
    archived or restored ones are recorded with Odoo's flag (the next reconciliation writes the source's back)."""
    n = _update(conn, tenant_id, deleted, flip=False) + _update(conn, tenant_id, changed, flip=True)
    conn.commit()
    return n


def forget_values(conn: psycopg.Connection, tenant_id: str, column: str, accounts: Sequence[int]) -> int:
    """Present lines carrying one of ``accounts`` in ``column``: written again by the next reconciliation."""
    rowcount = conn.execute(
        "UPDATE odoo_sync.record SET vals = NULL, vals_hash = NULL, updated_at = now()"
        " WHERE tenant_id = %s AND entity_type = 'line' AND state = 'present'"
        " AND (vals->>%s)::bigint = ANY(%s::bigint[])",
        (tenant_id, column, list(accounts)),
    ).rowcount
    conn.commit()
    return rowcount


# Deleted in Odoo: absent, so the next reconciliation creates it again under a new generation.
_ABSENT = (
    "UPDATE odoo_sync.record r SET state = 'absent', odoo_id = NULL, vals = NULL, vals_hash = NULL,"
    " updated_at = now() FROM unnest(%s::text[], %s::text[]) AS m(entity_type, entity_id)"
    " WHERE r.tenant_id = %s AND r.entity_type = m.entity_type AND r.entity_id = m.entity_id"
    " AND r.state = 'present'"
)
# What Odoo holds now is the other active flag: the planner then writes the written one back.
_FLIPPED = (
    "UPDATE odoo_sync.record r SET vals = jsonb_set(coalesce(vals, '{}'::jsonb), '{active}',"
    " to_jsonb(NOT coalesce((vals->>'active')::boolean, true))), vals_hash = NULL, updated_at = now()"
    " FROM unnest(%s::text[], %s::text[]) AS m(entity_type, entity_id)"
    " WHERE r.tenant_id = %s AND r.entity_type = m.entity_type AND r.entity_id = m.entity_id"
    " AND r.state = 'present'"
)


def _update(conn: psycopg.Connection, tenant_id: str, records: Sequence[RecordRef], *, flip: bool) -> int:
    if not records:
        return 0
    params = ([entity_type for entity_type, _ in records], [entity_id for _, entity_id in records], tenant_id)
    if flip:
        return conn.execute(_FLIPPED, params).rowcount
    return conn.execute(_ABSENT, params).rowcount
