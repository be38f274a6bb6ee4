"""A lookup by a batch of ids reads those ids' rows only, whatever plan PostgreSQL made for it.

A plan made while a table was empty or had no statistics (autovacuum off or behind; a prepared statement keeps
its generic plan) used to hash every row of the tenant for each lookup: quadratic over a first sync, 0.6-1 s a
5,000-line chunk at 300,000 records. Here each statement gets its plan on the empty tables and keeps it (a generic
plan, as psycopg's prepared statements get), the tables are then filled, and the rows a lookup read are counted
from PostgreSQL's own statistics.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from odoo_sync.store import rebuild
from odoo_sync.store.records import RecordStore
from tests.conftest import dsn

pytestmark = pytest.mark.integration
TENANT = "acme"
ROWS = 20_000
ASKED = [f"SL-{n:06d}" for n in range(5_000, 5_010)]


@pytest.fixture
def planned_early(pg_database: str, db: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """The sync's kind of connection, whose statements are prepared at once with a generic plan."""
    with psycopg.connect(dsn(pg_database)) as conn:
        conn.prepare_threshold = 0
        conn.execute("SET plan_cache_mode = force_generic_plan")
        conn.commit()
        yield conn


def fill(db: psycopg.Connection) -> None:
    db.execute(
        "INSERT INTO odoo_sync.record (tenant_id, entity_type, entity_id, odoo_model, odoo_id, state, generation)"
        " SELECT %s, 'line', 'SL-' || lpad(n::text, 6, '0'), 'account.analytic.line', n, 'present', 1"
        " FROM generate_series(1, %s) AS n",
        (TENANT, ROWS),
    )
    db.execute(
        "INSERT INTO odoo_sync.ledger (idempotency_key, tenant_id, entity_type, entity_id, operation, odoo_model,"
        " odoo_id, state) SELECT %s || ':line:SL-' || lpad(n::text, 6, '0') || ':create', %s, 'line',"
        " 'SL-' || lpad(n::text, 6, '0'), 'create', 'account.analytic.line', n, 'done'"
        " FROM generate_series(1, %s) AS n",
        (TENANT, TENANT, ROWS),
    )
    db.commit()


def rows_read(pg_database: str, table: str) -> int:
    """Rows of ``table`` read so far by sequential and index scans (every backend's flushed statistics)."""
    with psycopg.connect(dsn(pg_database), autocommit=True) as conn:
        row = conn.execute(
            "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables"
            " WHERE schemaname = 'odoo_sync' AND relname = %s",
            (table,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def flush_statistics(conn: psycopg.Connection) -> None:
    conn.execute("SELECT pg_stat_force_next_flush()")
    conn.commit()  # the backend reports its counters as it goes idle after this transaction


def test_the_records_of_a_chunk_are_read_one_id_at_a_time(
    pg_database: str, db: psycopg.Connection, planned_early: psycopg.Connection
) -> None:
    store = RecordStore(planned_early, TENANT)
    assert store.states("line", ["SL-000001"]) == {}  # planned now, on the empty table
    fill(db)
    before = rows_read(pg_database, "record")
    states = store.states("line", ASKED)
    flush_statistics(planned_early)
    assert sorted(states) == ASKED and all(st.present for st in states.values())
    assert rows_read(pg_database, "record") - before <= len(ASKED)


def test_the_ledger_histories_of_a_chunk_are_read_one_id_at_a_time(
    pg_database: str, db: psycopg.Connection, planned_early: psycopg.Connection
) -> None:
    assert rebuild.histories(planned_early, TENANT, "line", ["SL-000001"]) == {}  # planned on the empty table
    fill(db)
    before = rows_read(pg_database, "ledger")
    histories = rebuild.histories(planned_early, TENANT, "line", ASKED)
    flush_statistics(planned_early)
    assert sorted(histories) == ASKED and all(h.generation == 1 for h in histories.values())
    assert rows_read(pg_database, "ledger") - before <= len(ASKED)

