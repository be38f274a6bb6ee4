"""Where the package's own files are (SQL, mail templates, the runbook) and where the deployment's tenants file is.

The package's files ship inside it and are found through ``importlib.resources``, wherever it is installed. The
tenants file is the deployment's: every component (DAG processor, worker, triggerer, the CLI) finds it the same
way, so that what a task runs with is what the DAG was parsed from (docs/deploy.md):

1. ``ODOO_SYNC_TENANTS_FILE``, when set (one file every component can read, e.g. a mounted ConfigMap);
2. ``tenants.yaml`` beside the DAG files: it travels with the DAG bundle, version for version;
3. ``include/tenants.yaml`` beside the DAG folder (the layout of this repository and of an Astronomer project).

"Beside the DAG files" is the folder of the DAG file being parsed in this process (the DAG files say so with
:func:`use_dag_folder`; a worker parses its task's DAG file before running it), else Airflow's ``[core]
dags_folder``.
"""

from __future__ import annotations

import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE: Traversable = files("odoo_sync")
MIGRATIONS_DIR: Traversable = PACKAGE / "sql" / "migrations"
SOURCE_SQL_DIR: Traversable = PACKAGE / "sql" / "source"
MAIL_TEMPLATES_DIR: Traversable = PACKAGE / "health" / "mail"
RUNBOOK_FILE: Traversable = PACKAGE / "runbook" / "integration-health.md"  # served by the health page

TENANTS_FILE_ENV = "ODOO_SYNC_TENANTS_FILE"
TENANTS_FILE_NAME = "tenants.yaml"
_dag_folder: Path | None = None  # set by the DAG files of this process (use_dag_folder)


def use_dag_folder(dag_file: str | Path) -> None:
    """Read the tenants file that sits with this DAG file (called at the top of the project's DAG files)."""
    global _dag_folder
    _dag_folder = Path(dag_file).resolve().parent


def tenants_file() -> Path:
    """The tenants file this process reads (read at each call: the order is in the module's docstring)."""
    explicit = os.environ.get(TENANTS_FILE_ENV)
    if explicit:
        return Path(explicit)
    candidates = tenants_file_candidates()
    return next((path for path in candidates if path.is_file()), candidates[0])


def tenants_file_candidates() -> list[Path]:
    """Where the tenants file is looked for when ``ODOO_SYNC_TENANTS_FILE`` is not set, in order."""
    folder = _dag_folder or _airflow_dags_folder()
    return [folder / TENANTS_FILE_NAME, folder.parent / "include" / TENANTS_FILE_NAME]


def _airflow_dags_folder() -> Path:
    """``[core] dags_folder`` (the environment first, so that a CLI run without Airflow's config still works)."""
    configured = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER")
    if not configured:
        from airflow.configuration import conf

        configured = conf.get("core", "dags_folder")
    return Path(os.path.expanduser(configured)).resolve()
