"""The platform's database sees only short transactions: keyset pages, each committed before Odoo is called.

The source connection runs with ``idle_in_transaction_session_timeout`` set low, as a hot standby or a careful
DBA would: a read that kept its transaction open while a chunk goes to Odoo (simulated by a pause longer than
the timeout) is cancelled by the server. pg_stat_activity, read from another connection during the pause,
shows the source session idle, not idle in transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from odoo_sync.sync import source
from tests.conftest import REPO, dsn

TENANT = "paging"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
IDLE_TIMEOUT_MS = 300
PAUSE_S = 0.8  # "a chunk on its way to Odoo": longer than the timeout


@pytest.fixture
def lines(db: psycopg.Connection) -> psycopg.Connection:
    """23 lines of one tenant, three of them sharing one updated_at (the key's tie-break on id)."""
    db.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
    db.execute("DELETE FROM togrant.spending_lines WHERE tenant_id = %s", (TENANT,))
    stamps = [T0 + timedelta(minutes=i) for i in range(20)] + [T0 + timedelta(minutes=5)] * 3
    for n, ts in enumerate(stamps):
        db.execute(
            "INSERT INTO togrant.spending_lines (tenant_id, id, project_code, budget_line_code, date, amount,"
            " currency, updated_at) VALUES (%s, %s, 'P', '1.1', '2026-03-01', '1.00', 'USD', %s)",
            (TENANT, f"L{n:03d}", ts),
        )
    db.commit()
    return db


@pytest.fixture
def source_conn(pg_database: str) -> Iterator[psycopg.Connection]:
    """The source connection as a session opens it (read-only), with a low idle-in-transaction timeout."""
    with psycopg.connect(dsn(pg_database)) as conn:
        conn.read_only = True
        conn.execute(f"SET idle_in_transaction_session_timeout = {IDLE_TIMEOUT_MS}")
        conn.commit()
        yield conn


def _state(pg_database: str, pid: int) -> str:
    with psycopg.connect(dsn(pg_database)) as watcher:
        row = watcher.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    assert row is not None
    return str(row[0])


def test_changed_lines_hold_no_transaction_while_odoo_is_called(
    lines: psycopg.Connection, source_conn: psycopg.Connection, pg_database: str
) -> None:
    got: list[str] = []
    states: list[str] = []
    for page in source.changed_lines(source_conn, TENANT, None, None, chunk=5, first=2):
        got += [r["id"] for r in page]
        states.append(_state(pg_database, source_conn.info.backend_pid))
        time.sleep(PAUSE_S)  # the caller sends the page to Odoo
    assert states and set(states) == {"idle"}
    expected = lines.execute(
        "SELECT id FROM togrant.spending_lines WHERE tenant_id = %s ORDER BY updated_at, id", (TENANT,)
    ).fetchall()
    assert got == [r[0] for r in expected]  # every line once, in key order, across the ties


def test_changed_lines_window_bounds_and_page_sizes(lines: psycopg.Connection, source_conn: psycopg.Connection) -> None:
    start, end = T0 + timedelta(minutes=5), T0 + timedelta(minutes=12)
    pages = list(source.changed_lines(source_conn, TENANT, start, end, chunk=3, first=1))
    assert [len(p) for p in pages] == [1, 2, 3, 3, 1]  # 10 lines: minutes 5 (x4) to 11; pages double up to 3
    assert all(start <= r["updated_at"] < end for p in pages for r in p)


def test_a_line_updated_ahead_of_the_read_position_is_yielded_once(
    lines: psycopg.Connection, source_conn: psycopg.Connection
) -> None:
    """Moved ahead while the pages are read: the run plans it once (chunks hold different lines)."""
    pages = source.changed_lines(source_conn, TENANT, None, None, chunk=4)
    first = next(pages)
    lines.execute(
        "UPDATE togrant.spending_lines SET updated_at = %s WHERE tenant_id = %s AND id = %s",
        (T0 + timedelta(hours=5), TENANT, first[0]["id"]),
    )
    lines.commit()
    rest = [r["id"] for p in pages for r in p]
    ids = [r["id"] for r in first] + rest
    assert len(ids) == len(set(ids)) == 23


def test_fetch_all_ends_its_transaction(
    lines: psycopg.Connection, source_conn: psycopg.Connection, pg_database: str
) -> None:
    lines.execute(
        "INSERT INTO togrant.projects (tenant_id, code, name, updated_at) VALUES (%s, 'P', 'Project', now())"
        " ON CONFLICT DO NOTHING",
        (TENANT,),
    )
    lines.commit()
    rows = source.fetch_all(source_conn, "projects", TENANT)
    assert [r["code"] for r in rows] == ["P"]
    assert _state(pg_database, source_conn.info.backend_pid) == "idle"
    time.sleep(PAUSE_S)
    assert source.fetch_all(source_conn, "projects", TENANT)  # not cancelled by the server meanwhile
