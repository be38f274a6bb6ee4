"""Read the grant platform's rows (read-only) with the SQL files in odoo_sync/sql/source/.

Every read ends its transaction before returning (or before yielding a page): no transaction on the platform's
database stays open while the sync talks to Odoo, so a hot standby's query cancellation, an
``idle_in_transaction_session_timeout`` or vacuum never meet a sync that holds a snapshot for hours.
Spending lines are read in keyset pages, one short transaction each; the consistency rule that follows from
that is in ``changed_lines`` and docs/scheduling.md.
"""

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
_MINUS_INFINITY = "-infinity"  # an open window's bound, as PostgreSQL spells it (see spending_lines_changed.sql)


@cache
def query(name: str) -> str:
    """The text of odoo_sync/sql/source/<name>.sql (trusted, parameterised)."""
    return (SOURCE_SQL_DIR / f"{name}.sql").read_text()


def fetch_all(conn: psycopg.Connection, name: str, tenant_id: str) -> list[dict[str, Any]]:
    """Small reference tables (projects, categories, budget lines) fit in memory."""
    lineage.source_read(conn, name)
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query(name), {"tenant_id": tenant_id})  # type: ignore[arg-type]
        rows = cur.fetchall()
    conn.commit()  # end the read's transaction: the rows are written to Odoo after this
    return rows


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
    chunk: int | None = None,
    first: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Spending lines changed in [start, end), in keyset pages by (updated_at, id), one transaction each.

    ``first`` makes the first page smaller: the first call to Odoo leaves sooner, the rest is read meanwhile. The
    pages then double up to ``chunk``: the read-ahead plans each page while the one before it is sent, and a page
    twice the size of the one on the wire is planned in time (a 5,000-line page after a one-call page was not).
    Each page's transaction is committed before the page is yielded, so nothing is held open while the caller
    sends it to Odoo. The consistency rule (each page sees its own snapshot): a row committed while the pages
    are read is in this run when it lands ahead of the read position inside the window; otherwise (stamped at
    or after ``end``, or back-dated behind the position) the next run reads it, from its window (the mark minus
    the lookback) or, past the lookback, through the fingerprint of passed rows, which then reconciles. A line
    met twice in one run (updated ahead of the position meanwhile) is yielded once: the chunks of a run hold
    different lines, which the read-ahead's planning relies on; its newer values are the next run's.
    """
    lineage.source_read(conn, "spending_lines_changed")
    chunk = chunk or CHUNK_ROWS
    yielded: set[str] = set()
    after: tuple[Any, Any] = (_MINUS_INFINITY, "")
    size = first or chunk
    while rows := _page(conn, tenant_id, start, end, after, size):
        after = (rows[-1]["updated_at"], rows[-1]["id"])
        fresh = [r for r in rows if str(r["id"]) not in yielded]
        yielded.update(str(r["id"]) for r in fresh)
        if fresh:
            yield fresh
        if len(rows) < size:
            return
        size = min(size * 2, chunk)


def _page(
    conn: psycopg.Connection,
    tenant_id: str,
    start: datetime | None,
    end: datetime | None,
    after: tuple[Any, Any],
    size: int,
) -> list[dict[str, Any]]:
    """One keyset page, read in a transaction of its own (committed before the rows are returned)."""
    params = {
        "tenant_id": tenant_id,
        "start": _MINUS_INFINITY if start is None else start,
        "end": "infinity" if end is None else end,
        "after_ts": after[0],
        "after_id": after[1],
    }
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query("spending_lines_changed"), {**params, "page": size})  # type: ignore[arg-type]
        rows = cur.fetchall()
    conn.commit()
    return rows
