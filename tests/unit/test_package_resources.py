"""What the runtime reads ships inside the package, and a package without its migrations says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from odoo_sync import paths
from odoo_sync.store import migrate

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "odoo_sync"


def names(folder: object) -> set[str]:
    return {entry.name for entry in folder.iterdir()}  # type: ignore[attr-defined]


def test_the_runtime_files_are_package_resources() -> None:
    for resource in (paths.MIGRATIONS_DIR, paths.SOURCE_SQL_DIR, paths.MAIL_TEMPLATES_DIR):
        assert Path(str(resource)).resolve().is_relative_to(PACKAGE_DIR), resource
        assert resource.is_dir(), resource
    assert "001_sync_log_and_ledger.sql" in names(paths.MIGRATIONS_DIR)
    assert {"projects.sql", "budget_lines.sql", "spending_lines_changed.sql"} <= names(paths.SOURCE_SQL_DIR)
    assert {"health_alert.html", "health_recovery.html", "health_run_overdue.html"} <= names(paths.MAIL_TEMPLATES_DIR)
    assert paths.RUNBOOK_FILE.read_text().startswith("#")


def test_the_shipped_migrations_come_in_file_name_order() -> None:
    versions = [migrate.version_of(m) for m in migrate.available()]
    assert versions == sorted(versions) and versions[0] == "001_sync_log_and_ledger"


@pytest.mark.parametrize("folder", ["empty", "absent"])
def test_no_migrations_is_an_error_naming_the_folder(tmp_path: Path, folder: str) -> None:
    directory = tmp_path / folder
    if folder == "empty":
        directory.mkdir()
    with pytest.raises(migrate.MigrationsMissing, match=str(directory)):
        migrate.available(directory)


def test_the_command_never_reports_an_empty_package_as_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", tmp_path)
    with pytest.raises(SystemExit, match=f"NOT migrated: no migrations in {tmp_path}"):
        migrate.main(["--dsn", "host=127.0.0.1 dbname=never-reached"])
    assert "up to date" not in capsys.readouterr().out
