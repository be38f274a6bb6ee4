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

from tests.fake_odoo import errors
from tests.fake_odoo.computed import Reader
from tests.fake_odoo.domain import and_domains
from tests.fake_odoo.ordering import target_ranks
from tests.fake_odoo.schema import FieldDef

if TYPE_CHECKING:
    from tests.fake_odoo.store import Store

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
    groups = _groups(specs, store.matching(model, domain, active_test))
    if not specs and not groups:
        groups[()] = []
    rows = [_row(store, model, key, members, specs, count_key, aggregates) for key, members in groups.items()]
    rows = _order(store, model, rows, orderby, specs, count_key)
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


def _order(
    store: Store, model: str, rows: list[Record], orderby: Any, specs: list[Any], count_key: str
) -> list[Record]:
    terms = (
        [t.split() for t in orderby.split(",")]
        if isinstance(orderby, str) and orderby
        else [[spec] for spec, _, _ in specs]
    )
    by_spec = {spec: field for spec, field, _ in specs}
    for words in reversed(terms):
        name = count_key if words[0] == "__count" else words[0]
        desc = len(words) > 1 and words[1].lower() == "desc"
        field = by_spec.get(name)
        ranks = target_ranks(store, field.relation or "") if field is not None and field.type == "many2one" else {}
        if field is None and rows and name not in rows[0]:
            raise ValueError(f"Order a field that is not grouped or aggregated: {name!r}")

        def value(row: Record, name: str = name, ranks: dict[int, int] = ranks) -> Any:
            raw = row.get(name)
            return ranks.get(raw, raw) if ranks and raw is not None else raw

        rows.sort(key=lambda r: ((v := value(r)) is None, 0 if v is None else v), reverse=desc)
    return rows


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
