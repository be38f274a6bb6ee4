"""``order`` clauses: Odoo's syntax check, the model's default ``_order``, many2one fields ordered by the
target model's own order, PostgreSQL's NULL placement (last ascending, first descending)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fake_odoo.store import Store

Record = dict[str, Any]
OrderKey = tuple[str, bool, bool]  # field, descending, nulls first
_ORDER = re.compile(
    r'^(\s*([a-z0-9:_]+|"[a-z0-9:_]+")(\.id)?(\s+(desc|asc))?(\s+nulls\s+(first|last))?\s*(,|$))+(?<!,)$',
    re.I,
)
_TEXT = ("char", "text", "html", "selection")


def parse_order(store: Store, model: str, order: Any) -> list[OrderKey]:
    if order and (not isinstance(order, str) or not _ORDER.match(order)):
        raise ValueError(
            f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated '
            "list of valid field names (optionally followed by asc/desc for the direction)"
        )
    spec = order or store.model_def(model).order
    fields = store.fields(model)
    keys: list[OrderKey] = []
    for part in spec.split(","):
        words = part.lower().split()
        name = words[0].strip('"').removesuffix(".id")
        field = fields.get(name)
        if field is None:
            raise ValueError(f"Invalid field {name!r} on model {model!r}")
        if not field.store and name not in store.model_def(model).also_stored:
            raise ValueError(f"Cannot convert {model}.{name} to SQL because it is not stored")
        desc = "desc" in words[1:2]
        nulls_first = words[-1] == "first" if "nulls" in words else desc
        keys.append((name, desc, nulls_first))
    return keys


def sort_records(store: Store, model: str, recs: list[Record], keys: list[OrderKey], depth: int = 0) -> list[Record]:
    out = list(recs)
    for name, desc, nulls_first in reversed(keys):
        value = _value_func(store, model, name, depth)
        if nulls_first == desc:  # PostgreSQL's default placement
            out.sort(key=lambda r: ((v := value(r)) is None, 0 if v is None else v), reverse=desc)
        else:
            out.sort(key=lambda r: ((v := value(r)) is not None, 0 if v is None else v), reverse=desc)
    return out


def _value_func(store: Store, model: str, name: str, depth: int) -> Callable[[Record], Any]:
    field = store.fields(model)[name]
    if field.type == "many2one" and field.relation in store.tables:
        ranks = target_ranks(store, field.relation or "", depth)
        return lambda r: None if r.get(name) is None else ranks.get(r[name], r[name])
    if field.type in _TEXT:
        return lambda r: None if (v := r.get(name)) is None else (v.casefold(), v)
    return lambda r: r.get(name)


def target_ranks(store: Store, model: str, depth: int = 0) -> dict[int, int]:
    """Position of each record of ``model`` in its default order (what ORDER BY a many2one means)."""
    recs = list(store.tables[model].values())
    if depth < 2:
        recs = sort_records(store, model, recs, parse_order(store, model, None), depth + 1)
    return {rec["id"]: pos for pos, rec in enumerate(recs)}
