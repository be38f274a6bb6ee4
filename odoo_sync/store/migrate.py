"""Apply include/sql/migrations/*.sql once each, in order, under an advisory lock.

Every DAG's first task calls ``migrate``; the DAGs may log in as a role granted ``odoo_sync_writer`` only
(migration 005), which may not create schemas. So ``migrate`` first reads what is applied and changes nothing
when nothing is pending; only pending migrations need the schema owner, and a login that may not apply them gets
an error naming them and the command to run as the owner.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import psycopg

from odoo_sync.errors import ErrorClass, OdooPermanentError
from odoo_sync.paths import MIGRATIONS_DIR
from odoo_sync.store import db

log = logging.getLogger(__name__)
_LOCK_ID = 0x0D00_5C3E  # any fixed number: serialises concurrent migrators (two DAG runs starting at once)


class MigrationsMissing(OdooPermanentError):
    """The migrations folder is missing or holds no SQL: an install without its SQL, never "up to date"."""

    error_class = ErrorClass.CONFIG


class MigrationsPending(OdooPermanentError):
    """Migrations are pending and this login may not apply them: the owner runs ``python -m ...migrate``."""

    error_class = ErrorClass.CONFIG


def migration_files(directory: Path) -> list[Path]:
    """The folder's ``*.sql`` in file-name order; an error naming the folder when there are none."""
    files = sorted(directory.glob("*.sql")) if directory.is_dir() else []
    if not files:
        state = "holds no *.sql file" if directory.is_dir() else "does not exist"
        raise MigrationsMissing(
            f"odoo_sync migrations folder {directory} {state}: the install is incomplete (set "
            "ODOO_SYNC_INCLUDE_DIR to the folder holding sql/migrations, or install from the repository)"
        )
    return files


def pending(conn: psycopg.Connection, directory: Path = MIGRATIONS_DIR) -> list[Path]:
    """Migrations not yet applied, in file-name order."""
    files = migration_files(directory)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('odoo_sync.schema_migrations') IS NOT NULL")
        row = cur.fetchone()
        applied: set[str] = set()
        if row and row[0]:
            cur.execute("SELECT version FROM odoo_sync.schema_migrations")
            applied = {r[0] for r in cur.fetchall()}
    return [p for p in files if p.stem not in applied]


def migrate(conn: psycopg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply what is missing; each file and its bookkeeping row commit together. Returns applied names.

    Nothing pending: nothing is created or locked, so a login without CREATE passes.
    """
    with conn.transaction():  # a read, ended here: the apply below is its own transaction
        todo = pending(conn, directory)
    if not todo:
        return []
    try:
        applied = _apply(conn, directory)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise MigrationsPending(_pending_message(conn, todo, exc)) from exc
    for name in applied:
        log.info("Applied migration %s", name)
    return applied


def _pending_message(conn: psycopg.Connection, todo: list[Path], exc: Exception) -> str:
    names = ", ".join(p.stem for p in todo)
    return (
        f"odoo_sync schema: migration(s) {names} pending, and login {conn.info.user!r} may not apply them "
        f"({str(exc).strip()}). Apply them as the schema's owner: `python -m odoo_sync.store.migrate --dsn "
        f"'host=... dbname={conn.info.dbname} user=<owner>'` (or `make migrate` with the owner's connection), "
        "then clear the failed task; the DAGs' own login needs only the odoo_sync_writer role."
    )


def _apply(conn: psycopg.Connection, directory: Path) -> list[str]:
    """Under the advisory lock: create the schema and apply what is still pending (another run may have)."""
    applied: list[str] = []
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        cur.execute("CREATE SCHEMA IF NOT EXISTS odoo_sync")
        cur.execute(
            "CREATE TABLE IF NOT EXISTS odoo_sync.schema_migrations ("
            " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for path in pending(conn, directory):
            cur.execute(path.read_text())  # trusted files from the repository
            cur.execute("INSERT INTO odoo_sync.schema_migrations (version) VALUES (%s)", (path.stem,))
            applied.append(path.stem)
    return applied


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Create or upgrade the odoo_sync schema.")
    parser.add_argument("--conn-id", default=db.DEFAULT_DB_CONN_ID, help="Airflow connection of the database")
    parser.add_argument("--dsn", help="libpq connection string instead of an Airflow connection")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with psycopg.connect(args.dsn or db.conninfo_for(args.conn_id)) as conn:
        done = migrate(conn)
    print(f"odoo_sync schema up to date ({len(done)} migration(s) applied)")


if __name__ == "__main__":
    main()
