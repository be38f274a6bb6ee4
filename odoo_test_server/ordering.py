"""``order`` clauses: Odoo's syntax check, the model's default ``_order``, many2one fields ordered by the
target model's own order, PostgreSQL's NULL placement (last ascending, first descending)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from odoo_test_server.errors import UserError

if TYPE_CHECKING:
    from odoo_test_server.store import Store

Record = dict[str, Any]
OrderKey = tuple[str, bool, bool]  # field, descending, nulls first
# Odoo 17's ``regex_order``: comma-separated terms ``field[.property][:func] [asc|desc] [nulls first|last]``.
_TERM = r'(?P<field>[a-z0-9_]+|"[a-z0-9_]+")(\.(?P<property>[a-z0-9_]+))?(:(?P<func>[a-z_]+))?'
_PART = _TERM + r"(\s+(?P<direction>desc|asc))?(\s+(?P<nulls>nulls first|nulls last))?"
ORDER = re.compile(r"^(\s*" + _TERM + r"(\s+(desc|asc))?(\s+(nulls first|nulls last))?\s*(,|$))+(?<!,)$", re.I)
ORDER_TERM = re.compile(r"^\s*" + _PART, re.I)
_TEXT = ("char", "text", "html", "selection")


def check_order_parts(order: Any, version: int = 17) -> None:
    """Odoo 17's ``_flush_search`` runs before the domain and order checks and indexes
    ``order_part.split()[0]``: an empty part (``"amount,"``, ``"a,,b"``) is an IndexError (fault 1). 18 no
    longer does (the order's syntax check refuses it: fault 2)."""
    if order and isinstance(order, str) and version < 18:
        for part in order.split(","):
            if not part.split():
                raise IndexError("list index out of range")


def parse_order(store: Store, model: str, order: Any) -> list[OrderKey]:
    """Odoo 17's ``_order_to_sql``: a syntax error is a UserError (fault 2); an unknown field a ValueError;
    ``field.prop`` on a non-properties field a ValueError; a ``:func`` suffix is ignored; a field that is
    not a stored column is skipped silently (Odoo only logs a warning)."""
    spec = order or store.model_def(model).order
    if not isinstance(spec, str) or not ORDER.match(spec) or (store.version >= 19 and '"' in spec):
        raise UserError(
            f'Invalid "order" specified ({spec}). A valid "order" specification is a comma-separated '
            "list of valid field names (optionally followed by asc/desc for the direction)"
        )
    fields = store.fields(model)
    keys: list[OrderKey] = []
    for part in spec.split(","):
        match = ORDER_TERM.match(part)
        assert match is not None
        name, prop = match["field"], match["property"]
        field = fields.get(name)
        if field is None:
            raise ValueError(f"Invalid field {name!r} on model {model!r}")
        if prop and field.type != "properties" and store.version < 18:  # 18 orders by the many2one
            raise ValueError(f"Order a property ({prop!r}) on a non-properties field ({name!r})")
        if not field.store and name not in store.model_def(model).also_stored:
            if store.version >= 18:
                raise ValueError(f"Cannot convert {model}.{name} to SQL because it is not stored")
            continue  # 17: "Model %r cannot be sorted on field %r (not a column)" is only logged
        desc = (match["direction"] or "").lower() == "desc"
        nulls = (match["nulls"] or "").lower()
        nulls_first = nulls == "nulls first" if nulls else desc
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
