"""``read_group`` in Odoo 17's public shape: one dict per group with the grouped value (a many2one as
``[id, display_name]`` or False), ``<field>_count`` (lazy, one groupby) or ``__count``, the aggregates
(``amount:sum`` -> key ``amount``), ``__domain`` and, lazily with more groupbys, ``__context``."""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from odoo_test_server import errors
from odoo_test_server.computed import Reader
from odoo_test_server.domain import and_domains
from odoo_test_server.ordering import ORDER, ORDER_TERM, target_ranks
from odoo_test_server.schema import FieldDef

if TYPE_CHECKING:
    from odoo_test_server.store import Store

Record = dict[str, Any]
_AGG = re.compile(r"(\w+)(?::(\w+)(?:\((\w+)\))?)?")
FUNCS = ("count", "count_distinct", "sum", "avg", "max", "min", "array_agg", "bool_and", "bool_or")
NUMERIC = ("integer", "float", "monetary")
GRANULARITY = ("day", "week", "month", "quarter", "year")


def read_group(
    store: Store,
    model: str,
    domain: Any,
    fields: Any,
    groupby: Any,
    offset: Any,
    limit: Any,
    orderby: Any,
    lazy: Any,
    active_test: bool,
) -> list[Record]:
    groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
    lazy_groupby = groupby[:1] if lazy else groupby
    specs = [_group_spec(store, model, spec) for spec in lazy_groupby]
    count_key = f"{lazy_groupby[0].split(':')[0]}_count" if lazy and len(lazy_groupby) == 1 else "__count"
    aggregates = _aggregates(store, model, fields or [], lazy_groupby)
    terms = _order_terms(store, model, orderby, specs, count_key, aggregates)
    groups = _groups(specs, store.matching(model, domain, active_test))
    if not specs and not groups:
        groups[()] = []
    pairs = [
        (_row(store, model, key, members, specs, count_key, aggregates), members) for key, members in groups.items()
    ]
    rows = _order(store, model, pairs, terms)
    start = int(offset or 0)
    rows = rows[start : start + int(limit) if limit else None]
    reader = Reader(store, model)
    for row in rows:
        _format(reader, row, specs, domain)
        if lazy and len(groupby) > 1:
            row["__context"] = {"group_by": groupby[1:]}
    return rows


def _group_spec(store: Store, model: str, spec: Any) -> tuple[str, FieldDef, str | None]:
    name, _, granularity = str(spec).partition(":")
    field = store.fields(model).get(name)
    if field is None:
        raise ValueError(f"Invalid field {name!r} on model {model!r}")
    if not field.store:
        raise ValueError(
            f"Field {model}.{name} is not a stored field, only stored fields (regular or many2many) "
            "are valid for the 'groupby' parameter"
        )
    if field.type in ("date", "datetime"):
        granularity = granularity or "month"
        if granularity not in GRANULARITY:
            raise ValueError(f"Granularity set on field {name!r} must be one of {GRANULARITY}")
    return str(spec), field, granularity or None


def _aggregates(store: Store, model: str, specs: list[Any], groupby: list[str]) -> list[tuple[str, str, str]]:
    """(result key, field, function) for each requested aggregate, as read_group reads ``fields``."""
    fields = store.fields(model)
    out = []
    for spec in specs:
        if spec == "__count":
            continue
        match = _AGG.fullmatch(str(spec))
        if not match:
            raise ValueError(f"Invalid field specification {spec!r}.")
        key, func, fname = match.groups()
        fname = fname or key
        if fname not in fields:
            raise ValueError(f"Invalid field {fname!r} on model {model!r}")
        field = fields[fname]
        if func is None:
            if not (field.store and field.type in NUMERIC) or spec in groupby or fname == "id":
                continue
            func = "sum"
        if func not in FUNCS:
            raise ValueError(f"Invalid aggregation function {func!r}.")
        if func in ("sum", "avg") and field.type not in NUMERIC:
            raise errors.sql_error(errors.UndefinedFunction, f"function {func}(character varying) does not exist")
        out.append((key, fname, func))
    return out


def _groups(specs: list[Any], recs: list[Record]) -> dict[tuple[Any, ...], list[Record]]:
    groups: dict[tuple[Any, ...], list[Record]] = {}
    getters = [_getter(field, granularity) for _, field, granularity in specs]
    if len(getters) == 1:
        getter = getters[0]
        for rec in recs:
            groups.setdefault((getter(rec),), []).append(rec)
        return groups
    for rec in recs:
        groups.setdefault(tuple(g(rec) for g in getters), []).append(rec)
    return groups


def _getter(field: FieldDef, granularity: str | None) -> Callable[[Record], Any]:
    name = field.name
    if field.type == "boolean":
        return lambda rec: bool(rec.get(name))
    if granularity is None:
        return lambda rec: rec.get(name)
    gran = granularity

    def bucket(rec: Record) -> Any:
        value = rec.get(name)
        return None if value is None else _start(date.fromisoformat(str(value)[:10]), gran).isoformat()

    return bucket


def _start(day: date, granularity: str) -> date:
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _end(start: date, granularity: str) -> date:
    if granularity == "day":
        return start + timedelta(days=1)
    if granularity == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


def _label(start: date, granularity: str) -> str:
    if granularity == "day":
        return start.strftime("%d %b %Y")
    if granularity == "week":
        year, week, _ = start.isocalendar()
        return f"W{week} {year}"
    if granularity == "month":
        return f"{calendar.month_name[start.month]} {start.year}"
    if granularity == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)


def _row(
    store: Store,
    model: str,
    key: tuple[Any, ...],
    members: list[Record],
    specs: list[Any],
    count_key: str,
    aggregates: list[tuple[str, str, str]],
) -> Record:
    row: Record = {spec: value for (spec, _, _), value in zip(specs, key, strict=True)}
    row[count_key] = len(members)
    fields = store.fields(model)
    for name, fname, func in aggregates:
        row[name] = _aggregate(fields[fname], func, [m.get(fname) for m in members])
    return row


def _aggregate(field: FieldDef, func: str, values: list[Any]) -> Any:
    if func == "array_agg":
        return values
    present = [v for v in values if v is not None]
    if func == "count":
        return len(present)
    if func == "count_distinct":
        return len(set(present))
    if func in ("bool_and", "bool_or"):
        return (all if func == "bool_and" else any)(bool(v) for v in present) if present else False
    if not present:
        return 0 if func == "sum" else False
    if func in ("max", "min"):
        return (max if func == "max" else min)(present)
    total = math.fsum(present)
    if func == "avg":
        return total / len(present)
    return round(total, 2) if field.type == "monetary" else (int(total) if field.type == "integer" else total)


OrderTerm = tuple[str, Any, bool, bool]  # kind ("group" / "agg"), spec or (fname, func), desc, nulls first


def _order_terms(
    store: Store,
    model: str,
    orderby: Any,
    specs: list[Any],
    count_key: str,
    aggregates: list[tuple[str, str, str]],
) -> list[OrderTerm]:
    """Odoo 17's read_group rewrite of ``orderby`` (a term naming a groupby or an aggregate key becomes its
    spec: ``amount desc`` -> ``amount:sum desc``, ``date`` -> ``date:month``), then ``_read_group_orderby``:
    each part must be ONE valid order term ("Invalid order '...' for _read_group()"), and a term that is
    not a groupby spec must be an aggregate spec (``__count``, ``field:func``) or it is "Order term '...'
    is not a valid aggregate nor valid groupby". Checked before the search, like Odoo."""
    group_specs = [spec for spec, _, _ in specs]
    order = _rewrite_orderby(orderby, group_specs, count_key, aggregates)
    if not order:
        return []
    fields = store.fields(model)
    terms: list[OrderTerm] = []
    for part in order.split(","):
        match = ORDER.match(part)
        if not match:
            raise ValueError(f"Invalid order {order!r} for _read_group()")
        term = ORDER_TERM.match(part)
        assert term is not None
        name = part.strip().split()[0]
        desc = (term["direction"] or "").lower() == "desc"
        nulls = (term["nulls"] or "").lower()
        nulls_first = nulls == "nulls first" if nulls else desc
        if name in group_specs:
            terms.append(("group", name, desc, nulls_first))
        elif name == "__count":
            terms.append(("agg", ("id", "count"), desc, nulls_first))
        else:
            fname, func = term["field"], term["func"]
            if fname not in fields or not func or func not in FUNCS:
                raise ValueError(f"Order term {part!r} is not a valid aggregate nor valid groupby")
            terms.append(("agg", (fname, func), desc, nulls_first))
    return terms


def _rewrite_orderby(
    orderby: Any, group_specs: list[str], count_key: str, aggregates: list[tuple[str, str, str]]
) -> str:
    if not (isinstance(orderby, str) and orderby):
        return ",".join(group_specs)
    annotated = [(spec.split(":")[0], spec) for spec in reversed(group_specs)]
    annotated += [(count_key, "__count")] + [(key, f"{fname}:{func}") for key, fname, func in aggregates]
    parts = []
    for part in orderby.split(","):
        part = part.strip()
        for key, spec in annotated:
            if part.startswith(f"{key} ") or part == key:
                part = part.replace(key, spec)
                break
        parts.append(part)
    return ",".join(parts)


Pair = tuple[Record, list[Record]]


def _order(store: Store, model: str, pairs: list[Pair], terms: list[OrderTerm]) -> list[Record]:
    for kind, what, desc, nulls_first in reversed(terms):
        value = _group_value(store, model, what) if kind == "group" else _aggregate_value(store, model, *what)
        if nulls_first == desc:  # PostgreSQL's default placement
            pairs.sort(key=lambda p: ((v := value(p)) is None, 0 if v is None else v), reverse=desc)
        else:
            pairs.sort(key=lambda p: ((v := value(p)) is not None, 0 if v is None else v), reverse=desc)
    return [row for row, _ in pairs]


def _group_value(store: Store, model: str, spec: str) -> Callable[[Pair], Any]:
    """A grouped value; a many2one by its target's own order (what ORDER BY a many2one means)."""
    field = store.fields(model)[spec.split(":")[0]]
    ranks = target_ranks(store, field.relation or "") if field.type == "many2one" else {}

    def value(pair: Pair) -> Any:
        raw = pair[0].get(spec)
        return ranks.get(raw, raw) if ranks and raw is not None else raw

    return value


def _aggregate_value(store: Store, model: str, fname: str, func: str) -> Callable[[Pair], Any]:
    """An aggregate over the group's records, requested in ``fields`` or not (``orderby='amount:max'``)."""
    field = store.fields(model)[fname]
    return lambda pair: _aggregate(field, func, [m.get(fname) for m in pair[1]])


def _format(reader: Reader, row: Record, specs: list[Any], domain: Any) -> None:
    extra: list[list[Any]] = []
    ranges: dict[str, Any] = {}
    for spec, field, granularity in specs:
        raw = row[spec]
        if granularity:
            start = date.fromisoformat(raw) if raw else None
            end = _end(start, granularity) if start else None
            row[spec] = _label(start, granularity) if start else False
            ranges[spec] = {"from": start.isoformat(), "to": end.isoformat()} if start and end else False
            extra.append(
                ["&", (field.name, ">=", start.isoformat()), (field.name, "<", end.isoformat())]
                if start and end
                else [(field.name, "=", False)]
            )
        else:
            row[spec] = reader.format(field, raw)
            extra.append([(field.name, "=", False if raw is None else raw)])
    row["__domain"] = and_domains([list(domain or []), *extra])
    if ranges:
        row["__range"] = ranges
