"""One domain leaf ``(field_path, operator, value)`` compiled into a predicate over stored records, with
Odoo 17's NULL rules (negative operators match NULL, ``in`` with False matches NULL, ...)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from odoo_test_server import versions
from odoo_test_server.convert import coerce, like_matcher
from odoo_test_server.schema import FieldDef, ModelDef

Record = dict[str, Any]
Predicate = Callable[[Record], bool]
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
# Odoo's operators the test server does not model (nothing sends them): a NotImplementedError names them.
UNMODELLED = ("=?", "=ilike", "not like", "ilike", "not ilike", "child_of", "parent_of", "any", "not any")
TERM_OPERATORS = ("=", "!=", "<=", "<", ">", ">=", "=like", "like", "in", "not in", *UNMODELLED)
NEGATION = {"<": ">=", ">": "<=", "<=": ">", ">=": "<", "=": "!=", "!=": "=", "in": "not in", "not in": "in"}
_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda x, v: x < v,
    "<=": lambda x, v: x <= v,
    ">": lambda x, v: x > v,
    ">=": lambda x, v: x >= v,
}


def text(ctx: SearchContext, key: str, model: str, **values: Any) -> str:
    """An error text in the wording of the model's Odoo version."""
    return versions.text(ctx.model_def(model).version, key, model=model, **values)


class SearchContext(Protocol):
    """What compiling a domain needs from the store."""

    def fields(self, model: str) -> dict[str, FieldDef]: ...

    def model_def(self, model: str) -> ModelDef: ...

    def index_ids(self, model: str, field: str, values: list[Any]) -> set[int] | None: ...


@dataclass
class Compiled:
    pred: Predicate
    cand: set[int] | None = None  # every match is among these ids (None: no narrowing)


def combine(op: str, parts: list[Compiled]) -> Compiled:
    preds = [p.pred for p in parts]
    cands = [p.cand for p in parts]
    if op == "&":
        narrowed = [c for c in cands if c is not None]
        return Compiled(_all(preds), set.intersection(*narrowed) if narrowed else None)
    union: set[int] | None = set()
    for cand in cands:
        union = None if cand is None or union is None else union | cand
    return Compiled(_any(preds), union)


def _all(preds: list[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        first, second = preds
        return lambda r: first(r) and second(r)
    return lambda r: all(p(r) for p in preds)


def _any(preds: list[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        first, second = preds
        return lambda r: first(r) or second(r)
    return lambda r: any(p(r) for p in preds)


def compile_leaf(ctx: SearchContext, model: str, leaf: Any) -> Compiled:
    if leaf in (TRUE_LEAF, FALSE_LEAF):
        return Compiled(lambda r: True) if leaf[0] == 1 else Compiled(lambda r: False, set())
    field, rest, op, right = _parse(ctx, model, leaf)
    if op in UNMODELLED:
        raise NotImplementedError(f"odoo_test_server: the operator {op!r} is not modelled ({leaf!r})")
    if rest:  # a path through a many2one (one2many, ...): Odoo's, but nothing sends one
        raise NotImplementedError(f"odoo_test_server: field paths are not modelled ({leaf!r})")
    if not field.store and field.name not in ctx.model_def(model).also_stored:
        raise ValueError(f"Non-stored field {model}.{field.name} cannot be searched.")
    if field.type in ("one2many", "many2many"):
        raise NotImplementedError(f"odoo_test_server: searching on {field.type} {model}.{field.name} is not modelled")
    if field.type == "many2one" and _names(right):
        raise NotImplementedError(f"odoo_test_server: a many2one compared with a name is not modelled ({leaf!r})")
    if op in ("=", "!=") and isinstance(right, (list, tuple)):
        op = "in" if op == "=" else "not in"
    return _scalar(ctx, model, field, op, right)


def _parse(ctx: SearchContext, model: str, leaf: Any) -> tuple[FieldDef, str, str, Any]:
    """Check a leaf as expression.py does; return (first field of the path, rest of it, operator, value)."""
    if not (isinstance(leaf, tuple) and len(leaf) == 3):
        raise ValueError(f"Invalid leaf {leaf!r}")
    left, op, right = leaf
    if not isinstance(left, str) or not isinstance(op, str) or op.lower() not in TERM_OPERATORS:
        raise ValueError(f"Invalid leaf {leaf!r}")
    head, _, rest = left.partition(".")
    field = ctx.fields(model).get(head)
    if field is None:
        raise ValueError(text(ctx, "invalid_leaf", model=model, field=head, leaf=leaf))
    return field, rest, op.lower(), right


def _names(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, str) for v in value)


def _scalar(ctx: SearchContext, model: str, field: FieldDef, op: str, right: Any) -> Compiled:
    name = field.name
    if op in ("in", "not in"):
        return _in(ctx, model, field, op, right)
    if op in ("like", "=like"):
        return _like(name, op, right)
    value = coerce(field, right)
    if op in _CMP:
        cmp = _CMP[op]
        return Compiled(lambda r: (x := r.get(name)) is not None and value is not None and cmp(x, value))
    boolean = field.type == "boolean"
    if value is None:
        if op == "=":
            return Compiled((lambda r: not r.get(name)) if boolean else (lambda r: r.get(name) is None))
        return Compiled((lambda r: bool(r.get(name))) if boolean else (lambda r: r.get(name) is not None))
    if op == "=":
        cand = _index(ctx, model, field, [value])
        if boolean:
            return Compiled(lambda r: bool(r.get(name)) == value)
        return Compiled(lambda r: r.get(name) == value, cand)
    if boolean:
        return Compiled(lambda r: bool(r.get(name)) != value)
    return Compiled(lambda r: r.get(name) != value)


def _in(ctx: SearchContext, model: str, field: FieldDef, op: str, right: Any) -> Compiled:
    name = field.name
    raw = list(right) if isinstance(right, (list, tuple)) else [right]
    has_null = any(v is False or v is None for v in raw)
    if field.type == "boolean":
        bools = {bool(v) for v in raw}
        if op == "in":
            return Compiled(lambda r: bool(r.get(name)) in bools)
        return Compiled(lambda r: bool(r.get(name)) not in bools)
    values = {coerce(field, v) for v in raw if v is not False and v is not None}
    if op == "in":
        cand = None if has_null else _index(ctx, model, field, list(values))
        if has_null:
            return Compiled(lambda r: (x := r.get(name)) is None or x in values)
        return Compiled(lambda r: r.get(name) in values, cand)
    if has_null:
        return Compiled(lambda r: (x := r.get(name)) is not None and x not in values)
    return Compiled(lambda r: r.get(name) not in values)


def _index(ctx: SearchContext, model: str, field: FieldDef, values: list[Any]) -> set[int] | None:
    if field.name == "id":
        return {v for v in values if isinstance(v, int)}
    return ctx.index_ids(model, field.name, values)


def _like(name: str, op: str, right: Any) -> Compiled:
    pattern = "" if right is None or right is False else str(right)
    match = like_matcher(pattern, wrap=op == "like")
    return Compiled(lambda r: (x := r.get(name)) is not None and match(str(x)))
