"""No SQL is built from data by string formatting: every statement the package sends is a literal, a constant,
a trusted file, or a psycopg ``sql`` composition, with values passed as parameters."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.reliability
SQL_CALLS = {"execute", "executemany", "copy", "stream"}
TRUSTED_LOADERS = {"query", "read_text"}  # odoo_sync/sql/*.sql files shipped inside the package
COMPOSABLES = {"SQL", "Identifier", "Literal", "Placeholder", "Composed"}


class Scope:
    def __init__(self, node: ast.AST, module: Scope | None = None) -> None:
        self.module = module
        self.bindings: dict[str, list[ast.expr]] = {}
        for child in ast.walk(node) if module else node.body:  # type: ignore[attr-defined]
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    if isinstance(target, ast.Name):
                        self.bindings.setdefault(target.id, []).append(child.value)
            elif (
                isinstance(child, (ast.AnnAssign, ast.AugAssign))
                and isinstance(child.target, ast.Name)
                and child.value is not None
            ):
                self.bindings.setdefault(child.target.id, []).append(child.value)


def safe(node: ast.expr, scope: Scope, seen: frozenset[str] = frozenset()) -> bool:
    """True when ``node`` can only be SQL text written by the package's authors."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        if node.id in seen:
            return True
        for s in (scope, scope.module):
            if s is not None and node.id in s.bindings:
                return all(safe(v, s, seen | {node.id}) for v in s.bindings[node.id])
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return safe(node.left, scope, seen) and safe(node.right, scope, seen)
    if isinstance(node, ast.JoinedStr):  # only constants interpolated: ALL_CAPS names built from literals
        return all(
            isinstance(v, ast.Constant) or (isinstance(v, ast.FormattedValue) and constant_expr(v.value, scope))
            for v in node.values
        )
    return isinstance(node, ast.Call) and safe_call(node)


def safe_call(node: ast.Call) -> bool:
    """A trusted SQL file, or a psycopg composition: sql.SQL("...").format(...) / sql.SQL(", ").join(...)."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name in TRUSTED_LOADERS or name in COMPOSABLES:
        return True
    return isinstance(func, ast.Attribute) and name in {"format", "join"} and composable(func.value)


def constant_expr(node: ast.expr, scope: Scope) -> bool:
    if isinstance(node, ast.Name):
        return node.id.isupper() and safe(node, scope)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        return isinstance(node.func.value, ast.Constant) and all(
            isinstance(a, ast.Name) and a.id.isupper() for a in node.args
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        # a constant template filled with literals only, e.g. _LAST.format(cond="AND h.ok")
        return constant_expr(node.func.value, scope) and all(
            isinstance(a, ast.Constant) for a in [*node.args, *(k.value for k in node.keywords)]
        )
    return False


def odoo_call(func: ast.Attribute) -> bool:
    """``self.execute(model, ...)`` in the hook and ``hook.execute(...)`` are Odoo calls, not SQL."""
    receiver = ast.unparse(func.value)
    return receiver == "self" or "hook" in receiver


def composable(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Attribute) and node.func.attr in COMPOSABLES)
        or composable(getattr(node.func, "value", None))  # type: ignore[arg-type]
    )


def unsafe_sql(source: str) -> list[int]:
    tree = ast.parse(source)
    module = Scope(tree)
    found = []
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for fn in functions:
        scope = Scope(fn, module)
        for call in ast.walk(fn):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr in SQL_CALLS
                and call.args
                and not odoo_call(call.func)
                and not safe(call.args[0], scope)
            ):
                found.append(call.lineno)
    return found


def test_the_scanner_catches_formatted_sql() -> None:
    bad = (
        "def f(cur, t, v):\n"
        "    cur.execute(f\"SELECT * FROM x WHERE a = '{v}'\")\n"
        "    cur.execute(\"DELETE FROM x WHERE a = '%s'\" % v)\n"
        "    cur.execute('SELECT {}'.format(v))\n"
        "    q = 'SELECT * FROM ' + t\n"
        "    cur.executemany(q, [])\n"
        '    conn.execute("SELECT 1 WHERE a = %s", (v,))\n'
    )
    assert unsafe_sql(bad) == [2, 3, 4, 6]


def test_no_sql_in_the_package_is_built_by_string_formatting() -> None:
    offenders = {
        str(path.relative_to(REPO)): lines
        for path in sorted((REPO / "odoo_sync").rglob("*.py"))
        if (lines := unsafe_sql(path.read_text()))
    }
    assert offenders == {}
