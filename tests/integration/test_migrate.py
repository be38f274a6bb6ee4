"""The schema's migrations: a missing or empty migrations folder is an error naming it, never "up to date"."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from odoo_sync.errors import ErrorClass
from odoo_sync.paths import MIGRATIONS_DIR
from odoo_sync.store.migrate import MigrationsMissing, available, migrate
from tests.conftest import dsn


def _applied(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM odoo_sync.schema_migrations").fetchone()
    conn.commit()
    return int(row[0]) if row else 0


@pytest.mark.parametrize("layout", ["missing", "empty", "no_sql"])
def test_a_folder_without_migrations_is_an_error_naming_it(pg_database: str, tmp_path: Path, layout: str) -> None:
    folder = tmp_path / "sql" / "migrations"
    if layout != "missing":
        folder.mkdir(parents=True)
    if layout == "no_sql":
        (folder / "README.txt").write_text("not a migration")
    with psycopg.connect(dsn(pg_database)) as conn:
        before = _applied(conn)
        with pytest.raises(MigrationsMissing) as raised:
            migrate(conn, folder)
        assert _applied(conn) == before  # nothing half-written: the transaction rolled back
    assert str(folder) in str(raised.value)
    assert ("does not exist" if layout == "missing" else "holds no *.sql file") in str(raised.value)
    assert raised.value.error_class is ErrorClass.CONFIG


def test_the_shipped_folder_applies_nothing_twice(pg_database: str) -> None:
    with psycopg.connect(dsn(pg_database)) as conn:
        assert migrate(conn, MIGRATIONS_DIR) == []  # the session fixture applied them all
        assert _applied(conn) == len(available(MIGRATIONS_DIR))
