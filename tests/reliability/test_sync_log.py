"""The sync log is append-only for the sync's role; only the retention job removes rows, by age, in batches.

And over either of Odoo's APIs (``transport``), every call the hook makes has its sync_log call: one row per entity
sharing a call_id, with its HTTP status, bytes, latency and outcome, and the error scrubbed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from odoo_sync.errors import OdooRecordError, OdooTransientError
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.store.retention import purge_sync_log
from odoo_sync.store.sync_log import Entity, RunContext, SyncLog
from tests.conftest import PG_HOST, PG_PORT
from tests.reliability import figures
from tests.reliability.checks import ACCOUNT
from tests.reliability.conftest import API_KEY, PASSWORD, connect, serve

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


def test_every_call_over_either_api_has_its_sync_log_call(transport: str, db: psycopg.Connection) -> None:
    """Creates, a write, reads, a rejected record, a 503 and a 429 page, an unlink: as many sync_log calls as
    requests (rows of one call share its call_id), each with its status, bytes and latency; no secret."""
    secret = API_KEY if transport == "json2" else PASSWORD
    server = serve("acme", secret, transport)
    try:
        connect("odoo_audited", server, secret, transport, tenant_id="acme")
        hook = OdooHook("odoo_audited", tenant_id="acme", sync_log=SyncLog(db, "acme", RunContext("d", "r", 1)))
        plan = server.add_plan("Donor budget line")
        keys = [Entity("category", c, "create", f"acme:category:{c}:create") for c in ("HR", "TRV")]
        ids = hook.create_many(ACCOUNT, [{"name": c, "code": c, "plan_id": plan} for c in ("HR", "TRV")], keys)
        hook.write(ACCOUNT, ids[:1], {"name": "Human resources"}, keys[:1])
        assert len(hook.search_read(ACCOUNT, [("id", "in", ids)], ["name"])) == 2
        server.fail_record = lambda model, vals: "Invalid code"
        with pytest.raises(OdooRecordError, match="Invalid code"):
            hook.create_many(ACCOUNT, [{"name": "EQP", "code": "EQP", "plan_id": plan}], [])
        server.fail_record = None
        server.http_error, server.http_error_count = 503, 1
        with pytest.raises(OdooTransientError, match="HTTP 503"):
            hook.search_count(ACCOUNT, [])
        server.retry_after, server.http_error, server.http_error_count = 0, 429, 1
        assert hook.search_count(ACCOUNT, []) == 2  # the hook waited Retry-After (0 s) and asked again
        hook.unlink(ACCOUNT, ids[1:], keys[1:])
        for kind in ("record rejected", "5xx", "429"):
            figures.add("faults_injected", kind=kind)

        rows = db.execute(
            "SELECT call_id, count(*), min(method), min(outcome), min(http_status), min(response_bytes),"
            " min(latency_ms), min(error) FROM odoo_sync.sync_log WHERE tenant_id = 'acme' GROUP BY call_id"
            " ORDER BY min(id)"
        ).fetchall()
        db.commit()
        pages = 2  # the 503 and the 429 never reached Odoo's RPC layer: sent, answered, not in server.calls
        assert len(rows) == len(server.calls) + pages
        assert [(r[2], r[3], r[4]) for r in rows if r[3] == "error"] == [
            ("create", "error", 422 if transport == "json2" else 200),
            ("search_count", "error", 503),
            ("search_count", "error", 429),
        ]
        assert all(r[4] is not None and r[5] > 0 and r[6] >= 0 for r in rows)  # every call was answered
        assert [r[1] for r in rows if r[2] in ("create", "write", "unlink") and r[3] == "ok"] == [2, 1, 1]
        text = str(rows)
        figures.add("failed_calls_audited", sum(1 for r in rows if r[3] == "error"))
        figures.add("secrets_tried")
        figures.add("secrets_found", int(secret in text))
        assert secret not in text and "Traceback" not in text
    finally:
        server.stop()
