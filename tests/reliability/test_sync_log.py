"""The sync log is append-only for the sync's role; only the retention job removes rows, by age, in batches."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from odoo_sync.retention import purge_sync_log
from tests.conftest import PG_HOST, PG_PORT

pytestmark = [pytest.mark.reliability, pytest.mark.integration]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
REFUSED = (psycopg.errors.InsufficientPrivilege,)


def insert(conn: psycopg.Connection, ages_days: list[float], tenant: str = "acme") -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO odoo_sync.sync_log (ts, tenant_id, method, outcome) VALUES (%s, %s, 'create', 'ok')",
            [(NOW - timedelta(days=a), tenant) for a in ages_days],
        )
    conn.commit()


@pytest.fixture
def writer_conn(db: psycopg.Connection, pg_database: str) -> Iterator[psycopg.Connection]:
    """A login that is a member of odoo_sync_writer (migration 005), as a deployment's sync user would be."""
    role = f"odoo_sync_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user=postgres dbname={pg_database}", autocommit=True) as a:
        a.execute(f"CREATE ROLE {role} LOGIN IN ROLE odoo_sync_writer")
    try:
        with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={role} dbname={pg_database}") as conn:
            yield conn
    finally:
        with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user=postgres dbname={pg_database}", autocommit=True) as a:
            a.execute(f"DROP OWNED BY {role}")
            a.execute(f"DROP ROLE {role}")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE odoo_sync.sync_log SET error = NULL",
        "DELETE FROM odoo_sync.sync_log",
        "TRUNCATE odoo_sync.sync_log",
    ],
)
def test_the_database_refuses_rewriting_history_even_for_the_owner(db: psycopg.Connection, statement: str) -> None:
    insert(db, [1])
    with pytest.raises(REFUSED, match="append-only"):
        db.execute(statement)
    db.rollback()
    assert db.execute("SELECT count(*) FROM odoo_sync.sync_log").fetchone()[0] == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE odoo_sync.sync_log SET error = NULL",
        "DELETE FROM odoo_sync.sync_log",
        "SET odoo_sync.retention = 'on'; DELETE FROM odoo_sync.sync_log",
        "TRUNCATE odoo_sync.sync_log",
        "ALTER TABLE odoo_sync.sync_log DISABLE TRIGGER sync_log_append_only",
        "DROP TRIGGER sync_log_append_only ON odoo_sync.sync_log",
    ],
)
def test_the_sync_role_appends_but_cannot_update_delete_or_disarm(
    db: psycopg.Connection, writer_conn: psycopg.Connection, statement: str
) -> None:
    writer_conn.execute("INSERT INTO odoo_sync.sync_log (tenant_id, method, outcome) VALUES ('acme', 'create', 'ok')")
    writer_conn.commit()
    with pytest.raises((*REFUSED, psycopg.errors.InsufficientPrivilege)):
        for part in statement.split("; "):
            writer_conn.execute(part)
    writer_conn.rollback()
    assert db.execute("SELECT count(*) FROM odoo_sync.sync_log").fetchone()[0] == 1


def test_retention_removes_only_rows_older_than_the_configured_days_in_batches(db: psycopg.Connection) -> None:
    insert(db, [0.5, 29.9, 30.1, 45, 400] + [31 + i / 100 for i in range(250)])
    assert purge_sync_log(db, 30, now=NOW, batch_size=100) == 253  # three batches: 100, 100, 53
    left = sorted(
        round((NOW - r[0]).total_seconds() / 86400, 1) for r in db.execute("SELECT ts FROM odoo_sync.sync_log")
    )
    assert left == [0.5, 29.9]
    # the switch was local to the job's transactions: this session is refused again
    with pytest.raises(REFUSED):
        db.execute("DELETE FROM odoo_sync.sync_log")
    db.rollback()
    assert purge_sync_log(db, 30, now=NOW) == 0


@pytest.mark.parametrize(("keep", "batch"), [(0, 10), (30, 0)])
def test_retention_refuses_nonsense_settings(db: psycopg.Connection, keep: int, batch: int) -> None:
    with pytest.raises(ValueError):
        purge_sync_log(db, keep, now=NOW, batch_size=batch)
