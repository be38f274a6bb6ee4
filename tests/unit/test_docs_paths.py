"""Every docs/ path that the code, the DAG files, the plugins, the scripts or the docs themselves name exists."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO

DOCS_PATH = re.compile(r"\bdocs/[A-Za-z0-9_./-]+\.(?:md|png)\b")
NAMING = ("odoo_sync", "dags", "plugins", "scripts", "include", "docs")


def _named_paths() -> dict[str, set[str]]:
    named: dict[str, set[str]] = {}
    files = [p for folder in NAMING for p in (REPO / folder).rglob("*") if p.suffix in {".py", ".md", ".yaml", ".html"}]
    for path in [*files, REPO / "README.md", REPO / "CONTRIBUTING.md"]:
        for found in DOCS_PATH.findall(path.read_text(errors="replace")):
            named.setdefault(found, set()).add(str(path.relative_to(REPO)))
    return named


def test_every_named_docs_path_exists() -> None:
    named = _named_paths()
    assert "docs/drift.md" in named  # the scan reaches the DAG files' docs
    missing = {path: sorted(where) for path, where in named.items() if not (REPO / Path(path)).exists()}
    assert missing == {}
