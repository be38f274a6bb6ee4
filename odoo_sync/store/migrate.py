"""Apply the package's migrations (odoo_sync/sql/migrations/*.sql) once each, in order, under an advisory lock.

Every DAG's first task calls ``migrate``; the DAGs may log in as a role granted ``odoo_sync_writer`` only
(migration 005), which may not create schemas. So ``migrate`` first reads what is applied and changes nothing
when nothing is pending; only pending migrations need the schema owner, and a login that may not apply them gets
an error naming them and the command to run as the owner.
"""

from __future__ import annotations

import argparse
import logging
from importlib.resources.abc import Traversable

import psycopg

from odoo_sync.errors import ErrorClass, OdooPermanentError
from odoo_sync.paths import MIGRATIONS_DIR
from odoo_sync.store import db

log = logging.getLogger(__name__)
_LOCK_ID = 0x0D00_5C3E  # any fixed number: serialises concurrent migrators (two DAG runs starting at once)


class MigrationsMissing(OdooPermanentError):
    """The migrations folder is absent or empty: a broken install, never "up to date" (a task fails, no retry)."""

    error_class = ErrorClass.CONFIG


class MigrationsPending(OdooPermanentError):
    """Migrations are pending and this login may not apply them: the owner runs ``python -m ...migrate``."""

    error_class = ErrorClass.CONFIG


def available(directory: Traversable = MIGRATIONS_DIR) -> list[Traversable]:
    """Every migration shipped, in file-name order; raises MigrationsMissing when there is none."""
    found = [p for p in directory.iterdir() if p.name.endswith(".sql")] if directory.is_dir() else []
    if not found:
        state = "holds no *.sql file" if directory.is_dir() else "does not exist"
        raise MigrationsMissing(
            f"no migrations in {directory}: the folder {state}; the odoo_sync package is installed without "
            "its SQL files (reinstall it from a wheel built with `python -m build`)"
        )
    return sorted(found, key=lambda p: p.name)


def version_of(migration: Traversable) -> str:
    """``001_sync_log_and_ledger.sql`` -> ``001_sync_log_and_ledger`` (the row in schema_migrations)."""
    return migration.name.removesuffix(".sql")


def pending(conn: psycopg.Connection, directory: Traversable = MIGRATIONS_DIR) -> list[Traversable]:
    """Migrations not yet applied, in file-name order."""
    migrations = available(directory)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('odoo_sync.schema_migrations') IS NOT NULL")
        row = cur.fetchone()
        applied: set[str] = set()
        if row and row[0]:
            cur.execute("SELECT version FROM odoo_sync.schema_migrations")
            applied = {r[0] for r in cur.fetchall()}
    return [p for p in migrations if version_of(p) not in applied]


def migrate(conn: psycopg.Connection, directory: Traversable = MIGRATIONS_DIR) -> list[str]:
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


def _pending_message(conn: psycopg.Connection, todo: list[Traversable], exc: Exception) -> str:
    names = ", ".join(version_of(p) for p in todo)
    return (
        f"odoo_sync schema: migration(s) {names} pending, and login {conn.info.user!r} may not apply them "
        f"({str(exc).strip()}). Apply them as the schema's owner: `python -m odoo_sync.store.migrate --dsn "
        f"'host=... dbname={conn.info.dbname} user=<owner>'` (or `make migrate` with the owner's connection), "
        "then clear the failed task; the DAGs' own login needs only the odoo_sync_writer role."
    )


def _apply(conn: psycopg.Connection, directory: Traversable) -> list[str]:
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
            cur.execute(path.read_text())  # trusted files shipped inside the package
            cur.execute("INSERT INTO odoo_sync.schema_migrations (version) VALUES (%s)", (version_of(path),))
            applied.append(version_of(path))
    return applied


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Create or upgrade the odoo_sync schema.")
    parser.add_argument("--conn-id", default=db.DEFAULT_DB_CONN_ID, help="Airflow connection of the database")
    parser.add_argument("--dsn", help="libpq connection string instead of an Airflow connection")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        shipped = len(available(MIGRATIONS_DIR))
    except MigrationsMissing as exc:
        raise SystemExit(f"odoo_sync schema NOT migrated: {exc}") from None
    with psycopg.connect(args.dsn or db.conninfo_for(args.conn_id)) as conn:
        done = migrate(conn, MIGRATIONS_DIR)
    print(f"odoo_sync schema up to date: {shipped} migration(s) shipped, {len(done)} applied now")


if __name__ == "__main__":
    main()
