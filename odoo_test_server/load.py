"""``load(fields, data)``: Odoo's import API, for updates by database id (odoo/models.py ``load``,
``_extract_records``, ``_convert_records``, ``_load_records``; odoo/addons/base/models/ir_fields.py converters).

Each row is converted (a bad value or an unknown ``.id`` is a message naming the row and field), then all rows are
written in one batch: rows with a known ``.id`` are written one by one, the others created together (an unknown
``.id`` is created, as Odoo does). If the batch fails, every row is tried alone to find the culprits. Any error
rolls the whole call back: ``{'ids': False, 'messages': [...], 'nextrow': 0}``. Checked against a real Odoo 17.

Columns: ``.id``, plain fields, and many2one fields by database id (``<field>/.id``). External ids, many2one by
name, x2many and datetime columns are refused (NotImplementedError): nothing sends them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from odoo_test_server import errors
from odoo_test_server.schema import ACCOUNT, FieldDef

if TYPE_CHECKING:
    from odoo_test_server.store import FailHook, Savepoint, Store

Message = dict[str, Any]
Convert = Callable[[FieldDef, Any], Any]
TOO_MANY = (
    "Found more than 10 errors and more than one error per 10 records, interrupted to avoid showing too many errors."
)
FALSES = frozenset({"", "0", "false", "no"})


class ConversionError(ValueError):
    """A converter's ValueError: the message (with ``%(field)s``) and its extra keys (``moreinfo``)."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message, extra)
        self.message, self.extra = message, dict(extra or {})


@dataclass
class Row:
    """One data row, converted: its database id if known, the values to write, the row's info."""

    index: int
    dbid: int | None
    values: dict[str, Any]

    @property
    def info(self) -> Message:
        return {"rows": {"from": self.index, "to": self.index}, "record": self.index}


def load(
    store: Store, model: str, uid: int, fields: Any, data: Any, *, active_test: bool, fail: FailHook | None
) -> dict[str, Any]:
    """BaseModel.load: convert every row, write them all, roll everything back on any error."""
    columns = [_column(store, model, name) for name in fields]
    messages: list[Message] = []
    rows = [_convert_row(store, model, columns, i, raw, messages, active_test) for i, raw in enumerate(data)]
    savepoint = store.savepoint()
    ids: list[int] | bool = _flush(store, model, uid, rows, messages, fail, savepoint)
    if any(m["type"] == "error" for m in messages):
        store.rollback(savepoint)
        ids = False
    return {"ids": ids, "messages": messages, "nextrow": 0}


# -- columns -------------------------------------------------------------------------------------------------
def _column(store: Store, model: str, name: Any) -> tuple[str, str | None]:
    """fix_import_export_id_paths, then the field: (field or '.id', None or '.id' for a many2one's subfield)."""
    path = re.sub(r"([^/]):id", r"\1/id", re.sub(r"([^/])\.id", r"\1/.id", str(name))).split("/")
    if path[0] == ".id":
        return ".id", None
    if path[0] == "id":
        raise NotImplementedError("fake_odoo.load: external ids ('id' columns) are not supported")
    fields = store.fields(model)
    if path[0] not in fields and store.version >= 18:  # 18+ check columns first (_extract_records)
        raise ValueError(f"Invalid field name {path[0]!r}")
    field = fields[path[0]]  # KeyError, as Odoo 17's load
    if field.type in ("one2many", "many2many") or (field.type == "many2one" and path[1:] != [".id"]):
        raise NotImplementedError(f"fake_odoo.load: column {name!r} ({field.type}) is supported only as '<field>/.id'")
    if field.type not in CONVERTERS and field.type != "many2one":
        raise NotImplementedError(f"fake_odoo.load: {field.type} columns are not supported")
    return path[0], ".id" if field.type == "many2one" else None


# -- rows ----------------------------------------------------------------------------------------------------
def _convert_row(
    store: Store,
    model: str,
    columns: list[tuple[str, str | None]],
    index: int,
    raw: list[Any],
    messages: list[Message],
    active_test: bool,
) -> Row:
    """_convert_records for one row: its ``.id`` (must exist), then each value by ir.fields.converter."""
    cells = dict(zip(columns, raw, strict=False))
    row = Row(index, None, {})
    if (".id", None) in cells:
        row.dbid = _known_id(store, model, cells.pop((".id", None)), active_test)
        if row.dbid is None:
            value = _id_text(raw[columns.index((".id", None))])
            message = f"Unknown database identifier '{value}'"
            messages.append({**row.info, "type": "error", "field": ".id", "message": message})
    fields = store.fields(model)
    for (name, subfield), value in cells.items():
        field = fields[name]
        try:
            row.values[name] = _convert(store, field, subfield, value) if value else False
        except ConversionError as exc:
            label = _label(field)
            message = exc.message % {**row.info, "field": label}
            messages.append({**row.info, "type": "error", "field": name, "message": message, **exc.extra})
            messages[-1]["field_name"] = label
    return row


def _label(field: FieldDef) -> str:
    """The field's declared string (load reads ir.model.fields, not fields_get: the project plan's column is
    'Project Account' there, whatever the plan is called)."""
    return "Project Account" if field.name == "account_id" and field.relation == ACCOUNT else field.string


def _id_text(value: Any) -> Any:
    try:
        return int(value)
    except ValueError:
        return value


def _known_id(store: Store, model: str, value: Any, active_test: bool) -> int | None:
    """``self.search([('id', '=', dbid)])``: archived records are unknown too."""
    dbid = _id_text(value)
    rec = store.tables[model].get(dbid) if type(dbid) is int else None
    if rec is None or (active_test and store.model_def(model).has_active and not rec.get("active")):
        return None
    return int(dbid)


def _convert(store: Store, field: FieldDef, subfield: str | None, value: Any) -> Any:
    if subfield == ".id":
        return _many2one_id(store, field, value)
    return CONVERTERS[field.type](field, value)


def _many2one_id(store: Store, field: FieldDef, value: Any) -> int | bool:
    """db_id_for with the '.id' subfield: a false-looking text is no record; the id must exist."""
    if isinstance(value, str) and value.lower() in FALSES:
        return False
    action = _possible_values(store.version, field.relation or "")
    try:
        dbid = int(value)
    except ValueError:
        message = f"Invalid database id '{_escaped(value)}' for the field '%(field)s'"
        raise ConversionError(message, {"moreinfo": action}) from None
    if not store.exists(field.relation or "", dbid):
        message = f"No matching record found for database id '{_escaped(value)}' in field '%(field)s'"
        raise ConversionError(message, {"moreinfo": action})
    return dbid


def _escaped(value: Any) -> str:
    """The value inside a message that is %-formatted later (Odoo's _format_import_error)."""
    return str(value).replace("%", "%%")


def _possible_values(version: int, comodel: str) -> dict[str, Any]:
    return {
        "name": "Possible Values",
        "type": "ir.actions.act_window",
        "target": "new",
        "view_mode": "tree,form" if version < 18 else "list,form",
        "views": [(False, "list"), (False, "form")],
        "context": {"create": False},
        "help": "See all possible values",
        "res_model": "ir.model.data",
        "domain": [("model", "=", comodel)],
    }


def _number(kind: type, what: str) -> Convert:
    def convert(field: FieldDef, value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            raise ConversionError(f"'{_escaped(value)}' does not seem to be {what} for field '%(field)s'") from None

    return convert


def _date(field: FieldDef, value: Any) -> str:
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").date().isoformat()
    except ValueError:
        message = f"'{_escaped(value)}' does not seem to be a valid date for field '%(field)s'"
        raise ConversionError(message, {"moreinfo": "Use the format '2012-12-31'"}) from None


def _boolean(field: FieldDef, value: Any) -> bool:
    return value.lower() not in FALSES  # Odoo also warns about a text in neither TRUES nor FALSES


CONVERTERS: dict[str, Convert] = {
    "char": lambda field, value: value,
    "text": lambda field, value: value,
    "html": lambda field, value: value,
    "integer": _number(int, "an integer"),
    "float": _number(float, "a number"),
    "monetary": _number(float, "a number"),
    "date": _date,
    "boolean": _boolean,
}


# -- writing -------------------------------------------------------------------------------------------------
def _flush(
    store: Store,
    model: str,
    uid: int,
    rows: list[Row],
    messages: list[Message],
    fail: FailHook | None,
    savepoint: Savepoint,
) -> list[int]:
    """All rows in one batch; if it fails, row by row (each row's error is a message), as ``load``'s flush."""
    if not rows:
        return []
    try:
        return _load_records(store, model, uid, rows, fail)
    except errors.UserError as exc:
        first = None if _pg_error(exc) else {**rows[0].info, "type": "error", "message": str(exc)}
    except Exception:
        first = None
    store.rollback(savepoint)
    ids: list[int] = []
    failed = 0
    for i, row in enumerate(rows, 1):
        try:
            ids += _load_records(store, model, uid, [row], fail)
        except Exception as exc:
            messages.append({**row.info, "type": "error", **_describe(store, model, exc)})
            failed += 1
        if failed >= 10 and failed >= i / 10:
            messages.append({"type": "warning", "message": TOO_MANY})
            break
    if failed and first and first not in messages:
        messages.insert(0, first)
    return ids


def _load_records(store: Store, model: str, uid: int, rows: list[Row], fail: FailHook | None) -> list[int]:
    """_load_records: the known rows written one by one, then the others created in one call; ids in row order."""
    for row in rows:
        if row.dbid is not None:
            store.write(model, [row.dbid], row.values, uid, fail)
    new = [row for row in rows if row.dbid is None]
    created = iter(store.create(model, [row.values for row in new], uid, fail) if new else [])
    return [row.dbid if row.dbid is not None else next(created) for row in rows]


def _pg_error(exc: BaseException) -> bool:
    """The fake raises PostgreSQL's NOT NULL as the ValidationError Odoo's RPC layer makes of it; in ``load`` it
    is still a psycopg2 error."""
    return isinstance(exc, errors.ValidationError) and exc.not_null is not None


def _describe(store: Store, model: str, exc: BaseException) -> Message:
    """A failed row's message: PGERROR_TO_OE for database errors, the text of a UserError, else 'Unknown error'."""
    if isinstance(exc, errors.ValidationError) and exc.not_null is not None:
        name, label = exc.not_null
        return {"message": f"Missing required value for the field '{label}' ({name})", "field": name}
    if isinstance(exc, (errors.UserError, errors.DataError, errors.ProgrammingError)):
        return {"message": str(exc)}
    return {
        "message": f"Unknown error during import: {type(exc)}: {exc}",
        "moreinfo": "Resolve other errors first",
    }
