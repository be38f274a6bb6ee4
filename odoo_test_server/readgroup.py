"""``read_group`` as the drift check sends it: eager (``lazy=False``), at most one groupby on a plain field, ``:sum``
aggregates of numeric fields, no ``orderby``, in Odoo 17's public shape (one dict per group: the grouped value, a
many2one as ``[id, display_name]`` or False, ``__count``, each sum under its field name, ``__domain``). Groups come
in the groupby field's order (a many2one: its target's default order), NULL last.

Not modelled (a NotImplementedError says which): lazy groups (``<field>_count``, ``__context``), several groupbys,
date granularities (``date:month``), other aggregate functions, named aggregates (``total:sum(amount)``), orderby.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from odoo_test_server.computed import Reader
from odoo_test_server.domain import and_domains
from odoo_test_server.ordering import sort_records

if TYPE_CHECKING:
    from odoo_test_server.store import Store

Record = dict[str, Any]
NUMERIC = ("integer", "float", "monetary")


def read_group(
    store: Store, model: str, domain: Any, fields: Any, groupby: Any, orderby: Any, lazy: Any, active_test: bool
) -> list[Record]:
    groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
    group = _groupby(store, model, groupby)
    if lazy and group:
        raise NotImplementedError("odoo_test_server: read_group is modelled eager only (lazy=False)")
    if orderby:
        raise NotImplementedError(f"odoo_test_server: read_group's orderby is not modelled ({orderby!r})")
    sums = _sums(store, model, fields or [])
    recs = store.matching(model, domain, active_test)
    if group is None:
        return [_row(group, None, recs, sums, domain, Reader(store, model))]
    members: dict[Any, list[Record]] = {}
    for rec in sort_records(store, model, recs, [(group, False, False)]):  # the field's order, NULL last
        members.setdefault(rec.get(group), []).append(rec)
    reader = Reader(store, model)
    return [_row(group, value, recs, sums, domain, reader) for value, recs in members.items()]


def _groupby(store: Store, model: str, groupby: list[Any]) -> str | None:
    if len(groupby) > 1:
        raise NotImplementedError(f"odoo_test_server: read_group by more than one field is not modelled ({groupby})")
    if not groupby:
        return None
    name = str(groupby[0])
    field = store.fields(model).get(name.split(":")[0])
    if field is None:
        raise ValueError(f"Invalid field {name.split(':')[0]!r} on model {model!r}")
    if ":" in name or field.type in ("date", "datetime", "boolean", "many2many"):
        raise NotImplementedError(f"odoo_test_server: read_group by {name!r} ({field.type}) is not modelled")
    if not field.store:
        raise ValueError(
            f"Field {model}.{name} is not a stored field, only stored fields (regular or many2many) "
            "are valid for the 'groupby' parameter"
        )
    return name


def _sums(store: Store, model: str, specs: list[Any]) -> list[str]:
    """The numeric fields of the ``<field>:sum`` specs (``__count`` is always there)."""
    fields = store.fields(model)
    out = []
    for spec in specs:
        name, _, func = str(spec).partition(":")
        if spec == "__count":
            continue
        if func != "sum" or name not in fields or fields[name].type not in NUMERIC:
            raise NotImplementedError(f"odoo_test_server: read_group models '<numeric field>:sum' only, not {spec!r}")
        out.append(name)
    return out


def _row(group: str | None, value: Any, recs: list[Record], sums: list[str], domain: Any, reader: Reader) -> Record:
    row: Record = {}
    extra: list[list[Any]] = []
    if group is not None:
        row[group] = reader.format(reader.store.fields(reader.model)[group], value)
        extra.append([(group, "=", False if value is None else value)])
    row["__count"] = len(recs)
    for name in sums:
        ftype = reader.store.fields(reader.model)[name].type
        row[name] = _sum(ftype, [r.get(name) for r in recs], reader.store.currency_precision()[1])
    row["__domain"] = and_domains([list(domain or []), *extra])
    return row


def _sum(ftype: str, values: list[Any], decimals: int) -> Any:
    """PostgreSQL's SUM of numeric columns is exact: the float sum rounded to the places the values have."""
    present = [v for v in values if v is not None]
    if not present:
        return 0
    total = math.fsum(present)
    return round(total, decimals) if ftype == "monetary" else (int(total) if ftype == "integer" else total)
