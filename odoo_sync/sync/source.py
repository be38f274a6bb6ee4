"""Read the grant platform's rows (read-only) with the SQL files in odoo_sync/sql/source/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any

import psycopg
from psycopg.rows import dict_row

from odoo_sync.odoo import lineage
from odoo_sync.paths import SOURCE_SQL_DIR

CHUNK_ROWS = 5000


@cache
def query(name: str) -> str:
    """The text of odoo_sync/sql/source/<name>.sql (trusted, parameterised)."""
    return (SOURCE_SQL_DIR / f"{name}.sql").read_text()


def fetch_all(conn: psycopg.Connection, name: str, tenant_id: str) -> list[dict[str, Any]]:
    """Small reference tables (projects, categories, budget lines) fit in memory."""
    lineage.source_read(conn, name)
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query(name), {"tenant_id": tenant_id})  # type: ignore[arg-type]
        return cur.fetchall()


def count(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> int:
    """A count query's answer (progress logs, the deletion check)."""
    lineage.source_read(conn, name)
    with conn.cursor() as cur:
        cur.execute(query(name), params)  # type: ignore[arg-type]
        row = cur.fetchone()
    conn.commit()
    return int(row[0]) if row else 0


def count_changed_lines(conn: psycopg.Connection, tenant_id: str, start: datetime | None, end: datetime | None) -> int:
    """How many lines changed in [start, end), for progress reporting."""
    return count(conn, "spending_lines_changed_count", {"tenant_id": tenant_id, "start": start, "end": end})


def fingerprints(
    conn: psycopg.Connection, tenant_id: str, settled: datetime | None, next_settled: datetime
) -> tuple[str | None, str]:
    """Fingerprints of the lines updated before ``settled`` and before ``next_settled`` (one scan)."""
    lineage.source_read(conn, "spending_lines_fingerprint")
    with conn.cursor() as cur:
        params = {"tenant_id": tenant_id, "settled": settled, "next": next_settled}
        cur.execute(query("spending_lines_fingerprint"), params)  # type: ignore[arg-type]
        row = cur.fetchone()
    conn.commit()
    assert row is not None
    return (row[0] if settled is not None else None), str(row[1])


def lines_by_id(conn: psycopg.Connection, tenant_id: str, ids: list[str]) -> list[dict[str, Any]]:
    """These lines as the source has them now (missing ids: deleted)."""
    lineage.source_read(conn, "spending_lines_by_id")
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query("spending_lines_by_id"), {"tenant_id": tenant_id, "ids": ids})  # type: ignore[arg-type]
        rows = cur.fetchall()
    conn.commit()
    return rows


def changed_lines(
    conn: psycopg.Connection,
    tenant_id: str,
    start: datetime | None,
    end: datetime | None,
    chunk: int = CHUNK_ROWS,
    first: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Spending lines changed in [start, end), streamed in chunks through a server-side cursor.

    ``first`` makes the first chunk smaller: the first call to Odoo leaves sooner, the rest is read meanwhile.
    """
    lineage.source_read(conn, "spending_lines_changed")
    with conn.transaction(), conn.cursor(name="odoo_sync_lines", row_factory=dict_row) as cur:
        cur.itersize = chunk
        cur.execute(query("spending_lines_changed"), {"tenant_id": tenant_id, "start": start, "end": end})  # type: ignore[arg-type]
        size = first or chunk
        while rows := cur.fetchmany(size):
            yield rows
            size = chunk
