"""Every file the code, the DAG docs and the manual name exists (a moved or never-written page fails here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.conftest import REPO

# A repository path as code and docs write it: a top-level folder, then a file with an extension.
NAMED_PATH = re.compile(
    r"(?<![\w./-])((?:docs|odoo_sync|include|dags|bench|scripts|tests|plugins)/[\w./-]*\.(?:md|sql|py|yaml|html|png))"
)
MARKDOWN_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s#]+)(?:#[^)]*)?\)")
CODE = [
    *sorted((REPO / "odoo_sync").rglob("*.py")),
    *sorted((REPO / "dags").glob("*.py")),
    *sorted((REPO / "scripts").glob("*.py")),
    REPO / "include" / "tenants.yaml",
    REPO / "Dockerfile",
    REPO / "docker-compose.yaml",
    REPO / "Makefile",
    REPO / ".ci" / "run",
]
MANUAL = [
    REPO / "README.md",
    REPO / "CONTRIBUTING.md",
    REPO / "CHANGELOG.md",
    REPO / "plugins" / "README.md",
    REPO / "bench" / "README.md",
    *sorted((REPO / "docs").glob("*.md")),
    *sorted((REPO / "odoo_sync").rglob("*.md")),
]


def named_paths(text: str) -> Iterator[str]:
    for match in NAMED_PATH.finditer(text):
        yield match.group(1).rstrip(".")


HISTORY = REPO / "CHANGELOG.md"  # names paths as they were in earlier releases, on purpose


@pytest.mark.parametrize("path", [*CODE, *(p for p in MANUAL if p != HISTORY)], ids=lambda p: str(p.relative_to(REPO)))
def test_every_repository_path_a_file_names_exists(path: Path) -> None:
    missing = sorted({name for name in named_paths(path.read_text()) if not (REPO / name).exists()})
    assert not missing, f"{path.relative_to(REPO)} names files that do not exist: {missing}"


@pytest.mark.parametrize("path", MANUAL, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_of_the_manual_resolves(path: Path) -> None:
    broken = sorted({link for link in MARKDOWN_LINK.findall(path.read_text()) if not (path.parent / link).exists()})
    assert not broken, f"{path.relative_to(REPO)} links to files that do not exist: {broken}"


def test_every_path_the_dag_docs_name_exists() -> None:
    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.dags
    missing = {
        (dag_id, name)
        for dag_id, dag in bag.dags.items()
        for name in named_paths(dag.doc_md or "")
        if not (REPO / name).exists()
    }
    assert not missing, sorted(missing)
