"""Value conversion and the checks PostgreSQL makes, in the order a create or write meets them in Odoo 17.

1. Python (ORM) conversion of each value, record by record: unknown field, float('abc'), wrong many2one ...
2. PostgreSQL: literals are parsed first (dates), then NOT NULL per row, then foreign keys per row.
3. Python constraints run after the insert.
Write differs for dates: the ORM parses them (``Date.to_date``) before PostgreSQL sees them.
"""

from __future__ import annotations

import builtins
import calendar
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from odoo_test_server import errors
from odoo_test_server.schema import FieldDef, ModelDef

_ISO = re.compile(r"\s*(\d{1,5})-(\d{1,2})-(\d{1,2})(?:[ T].*)?\s*$")
_SLASH = re.compile(r"\s*(\d{1,4})/(\d{1,2})/(\d{1,4})\s*$")
_COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})\s*$")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_HINT = 'Perhaps you need a different "datestyle" setting.'


def wrong_value(model: str, field: FieldDef, value: Any) -> ValueError:
    return ValueError(f"Wrong value for {model}.{field.name}: {value!r}")


def _text(field: FieldDef, value: Any) -> str | None:
    if value is None or value is False:
        return None
    text = value.decode() if isinstance(value, bytes) else str(value)
    size = field.size
    return text[:size] if size else text


def _monetary(value: Any, rounding: float, decimals: int) -> float:
    """Monetary.convert_to_column: ``float_repr(currency.round(value), currency.decimal_places)``, read back."""
    number = float(value or 0.0)
    if number != number or number in (float("inf"), float("-inf")):
        return number
    return float(f"{float_round(number, rounding):.{decimals}f}")


def float_round(value: float, precision_rounding: float) -> float:
    """Odoo 17's ``odoo.tools.float_utils.float_round``, HALF-UP (``res.currency.round``), float for float.

    Normalise to a multiple of the rounding factor, add an epsilon of the value's magnitude (2**-52 of it) away
    from zero so that a float just under a tie (0.18 * 1.25 == 0.22499999999999998) rounds as the tie, round half
    away from zero (Odoo's Python 2 ``round`` shim), de-normalise.
    """
    if precision_rounding == 0 or value == 0:
        return 0.0
    normalized = value / precision_rounding
    epsilon = 2 ** (math.log(abs(normalized), 2) - 52)
    normalized += math.copysign(epsilon, normalized)
    return _round_half_away(normalized) * precision_rounding


def _round_half_away(f: float) -> float:
    rounded = builtins.round(f)
    if builtins.round(f + 1) - rounded != 1:  # a tie that Python 3 rounded to even
        return f + math.copysign(0.5, f)
    return math.copysign(rounded, f)


def _many2one(model: str, field: FieldDef, value: Any) -> int | None:
    """An id, or False/None for no record (Odoo would also let PostgreSQL cast a numeric text: not modelled)."""
    if value is None or value is False:
        return None
    if type(value) is int:
        return value
    raise NotImplementedError(
        f"odoo_test_server: a many2one given a {type(value).__name__} is not modelled ({value!r})"
    )


def _selection(model: str, field: FieldDef, value: Any) -> str | None:
    if field.selection is not None and value in field.selection:
        return str(value)
    if not value:
        return None
    if field.selection is None:
        return str(value)
    raise wrong_value(model, field, value)


def to_cache(model: str, field: FieldDef, value: Any, currency: tuple[float, int] = (0.01, 2)) -> Any:
    """The ORM's conversion of a value sent for ``field`` (dates are kept raw for the database step)."""
    ftype = field.type
    if ftype in ("char", "text", "html"):
        return _text(field, value)
    if ftype == "boolean":
        return bool(value)
    if ftype == "integer":
        return int(value or 0)
    if ftype == "float":
        return float(value or 0.0)
    if ftype == "monetary":
        return _monetary(value, *currency)
    if ftype == "many2one":
        return _many2one(model, field, value)
    if ftype == "selection":
        return _selection(model, field, value)
    if ftype in ("date", "datetime"):
        return None if value is None or value is False else value
    return None if value is False else value


def orm_date(value: Any) -> str:
    """``fields.Date.to_date``: the first ten characters must be YYYY-MM-DD."""
    head = value[:10]
    if _ISO_DAY.fullmatch(head):
        try:
            return date.fromisoformat(head).isoformat()
        except ValueError:
            pass
    return datetime.strptime(head, "%Y-%m-%d").strftime("%Y-%m-%d")  # Python's own error text


@lru_cache(maxsize=4096)
def pg_date(value: str, column: str) -> str:
    """PostgreSQL's date input (DateStyle ISO, MDY): YYYY-MM-DD[ time], YYYYMMDD, M/D/YYYY, YYYY/M/D."""
    ymd = _split_date(value)
    if ymd is None:
        raise errors.sql_error(errors.InvalidDatetimeFormat, f'invalid input syntax for type date: "{value}"')
    year, month, day = ymd
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise errors.sql_error(
            errors.DatetimeFieldOverflow, f'date/time field value out of range: "{value}"', _DATE_HINT
        )
    if year < 1 or day > calendar.monthrange(year, month)[1]:
        raise errors.sql_error(errors.DatetimeFieldOverflow, f'date/time field value out of range: "{value}"')
    return f"{year:04d}-{month:02d}-{day:02d}"


def _split_date(value: str) -> tuple[int, int, int] | None:
    match = _ISO.match(value) or _COMPACT.match(value)
    if match:
        return int(match[1]), int(match[2]), int(match[3])
    match = _SLASH.match(value)
    if not match:
        return None
    if len(match[1]) == 4:
        return int(match[1]), int(match[2]), int(match[3])
    return int(match[3]), int(match[1]), int(match[2])


def parse_dates(rows: Iterable[dict[str, Any]], fields: dict[str, FieldDef], *, orm_first: bool) -> None:
    """Turn raw date values into 'YYYY-MM-DD' (in place); raise what Odoo/PostgreSQL raise for bad ones."""
    for row in rows:
        for name, value in row.items():
            field = fields.get(name)
            if field is None or value is None or field.type not in ("date", "datetime"):
                continue
            if field.type == "datetime" or not isinstance(value, str):
                raise NotImplementedError(f"odoo_test_server: writing {value!r} to {field.type} {name} is not modelled")
            if orm_first:
                row[name] = pg_date(orm_date(value), name)
            else:
                parsed = pg_date(value, name)
                orm_date(value)  # Odoo caches the new values after the INSERT: non-ISO dates fail there
                row[name] = parsed


def check_not_null(
    mdef: ModelDef, fields: dict[str, FieldDef], rows: Iterable[dict[str, Any]], *, partial: bool
) -> None:
    """NOT NULL columns, row by row in table order; ``partial`` (write) checks only the columns being set."""
    for row in rows:
        for name in mdef.not_null:
            if (name in row or not partial) and row.get(name) is None:
                field = fields[name]
                raise errors.not_null_violation(mdef.description, mdef.name, field.string, name, mdef.version)


def check_foreign_keys(
    mdef: ModelDef,
    fields: dict[str, FieldDef],
    rows: Iterable[dict[str, Any]],
    exists: Callable[[str, int], bool],
) -> None:
    for row in rows:
        for name, value in row.items():
            field = fields.get(name)
            if value is None or field is None or field.type != "many2one":
                continue
            if not exists(field.relation or "", value):
                raise errors.fk_violation(mdef.description, mdef.name, name, field.string, mdef.version)


# -- domain values ---------------------------------------------------------------------------------------
def like_matcher(pattern: str, wrap: bool) -> Callable[[str], bool]:
    """SQL LIKE ('%' any run, '_' one char, backslash escapes); ``wrap`` adds '%' around (like)."""
    if not any(ch in pattern for ch in "%_\\"):
        return (lambda s: pattern in s) if wrap else (lambda s: s == pattern)
    if wrap:
        pattern = f"%{pattern}%"
    regex, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        regex.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    compiled = re.compile("".join(regex), re.DOTALL)
    return lambda s: compiled.fullmatch(s) is not None


def coerce(field: FieldDef, value: Any) -> Any:
    """A domain value as PostgreSQL would compare it with the column (False means NULL)."""
    if value is False or value is None:
        return None
    ftype = field.type
    if ftype == "boolean":
        return bool(value)
    if ftype in ("integer", "many2one"):
        return _number(int, value, "integer")
    if ftype in ("float", "monetary"):
        return _number(float, value, "numeric")
    if ftype == "date":
        return pg_date(value, field.name) if isinstance(value, str) else value
    if ftype in ("char", "text", "html", "selection") and isinstance(value, (int, float)):
        kind = "integer" if isinstance(value, int) else "numeric"
        raise errors.sql_error(
            errors.UndefinedFunction,
            f"operator does not exist: character varying = {kind}",
            "No operator matches the given name and argument types. You might need to add explicit type casts.",
        )
    return value


def _number(kind: type, value: Any, sql_type: str) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if kind is float else int(value)
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise errors.sql_error(
            errors.InvalidTextRepresentation, f'invalid input syntax for type {sql_type}: "{value}"'
        ) from None
