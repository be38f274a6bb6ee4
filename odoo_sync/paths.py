"""Where the project's non-Python files live (SQL, tenant config, demo data, the runbook)."""

from __future__ import annotations

import os
from pathlib import Path

# The package is installed editable from the repository (README), so include/ sits beside it.
# Deployments that install differently point ODOO_SYNC_INCLUDE_DIR at their copy.
REPO_DIR = Path(__file__).resolve().parent.parent
INCLUDE_DIR = Path(os.environ.get("ODOO_SYNC_INCLUDE_DIR") or REPO_DIR / "include")
MIGRATIONS_DIR = INCLUDE_DIR / "sql" / "migrations"
SOURCE_SQL_DIR = INCLUDE_DIR / "sql" / "source"
DOCS_DIR = REPO_DIR / "docs"  # the health page serves its runbook from here


def tenants_file() -> Path:
    """include/tenants.yaml, unless ODOO_SYNC_TENANTS_FILE names another (read at each call)."""
    return Path(os.environ.get("ODOO_SYNC_TENANTS_FILE") or INCLUDE_DIR / "tenants.yaml")
