"""The import direction of docs/architecture.md: a layer imports only layers below it (lazy imports included)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "odoo_sync"
# Lowest first. "base" is the package's top-level modules (errors, keys, paths, scrub, config, metrics).
LAYERS = ("base", "store", "odoo", "sync", "health", "drift", "dashboard", "airflow")
# What DAG files may reach: entry points, never the write path's internals.
DAG_MAY_IMPORT = ("odoo_sync.airflow", "odoo_sync.config", "odoo_sync.health", "odoo_sync.store")


def layer_of(module: str) -> str:
    """odoo_sync.sync.writer -> sync; odoo_sync.errors -> base."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()):
        return parts[1]
    return "base"


def module_name(path: Path) -> str:
    relative = path.relative_to(REPO).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every odoo_sync module ``path`` imports, at any depth (``from odoo_sync import db`` -> odoo_sync.db)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names if a.name.startswith("odoo_sync"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("odoo_sync"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (REPO / candidate.replace(".", "/")).with_suffix(".py").exists() or (
                    REPO / candidate.replace(".", "/")
                ).is_dir()
                yield node.lineno, candidate if is_module else node.module


def package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_sub_package_has_a_layer() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and any(p.glob("*.py"))}
    assert packages == set(LAYERS) - {"base"}, "a new sub-package needs its place in LAYERS and the architecture page"


@pytest.mark.parametrize("path", package_modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_a_layer_imports_only_layers_below_it(path: Path) -> None:
    own = LAYERS.index(layer_of(module_name(path)))
    upward = [
        f"line {line}: {target} ({layer_of(target)})"
        for line, target in imports(path)
        if target != "odoo_sync" and LAYERS.index(layer_of(target)) > own
    ]
    assert not upward, f"{module_name(path)} ({LAYERS[own]}) imports upward: {upward}"


@pytest.mark.parametrize("path", sorted((REPO / "dags").glob("*.py")), ids=lambda p: p.name)
def test_dag_files_reach_only_entry_points(path: Path) -> None:
    reached = [target for _, target in imports(path) if not target.startswith(DAG_MAY_IMPORT)]
    assert not reached, f"{path.name} wires tasks only; it imports {reached}"


def test_the_package_never_imports_tests_or_the_test_server() -> None:
    offenders = []
    for path in package_modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            outside = [n for n in names if n.split(".")[0] in ("tests", "odoo_test_server")]
            offenders += [f"{module_name(path)}: {n}" for n in outside]
    assert not offenders


def test_the_import_walk_sees_lazy_and_package_imports(tmp_path: Path) -> None:
    """The check itself: a function-level import and ``from odoo_sync import x`` are both seen."""
    sample = tmp_path / "sample.py"
    sample.write_text("from odoo_sync import errors\n\ndef later():\n    from odoo_sync.airflow import tasks\n")
    assert [target for _, target in imports(sample)] == ["odoo_sync.errors", "odoo_sync.airflow.tasks"]
    assert [layer_of(t) for _, t in imports(sample)] == ["base", "airflow"]
