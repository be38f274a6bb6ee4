"""Odoo's exceptions as its RPC layer maps them to XML-RPC fault codes (odoo/addons/base/controllers/rpc.py).

UserError and its subclasses -> 2, AccessDenied -> 3, AccessError -> 4, anything else -> 1 with the whole
Python traceback as faultString (``"".join(traceback.format_exception(...))``), like Odoo does.
"""

from __future__ import annotations

import traceback
import xmlrpc.client

from odoo_test_server import versions

FAULT_APPLICATION_ERROR = 1
FAULT_WARNING = 2
FAULT_ACCESS_DENIED = 3
FAULT_ACCESS_ERROR = 4


class UserError(Exception):
    """odoo.exceptions.UserError: fault 2, faultString is the message."""

    fault_code = FAULT_WARNING


class ValidationError(UserError):
    """odoo.exceptions.ValidationError (constraints, integrity errors turned into text).

    ``not_null``: (field, label) when it stands for PostgreSQL's NOT NULL violation (``load`` reports those)."""

    not_null: tuple[str, str] | None = None


class MissingError(UserError):
    """odoo.exceptions.MissingError."""


class AccessError(Exception):
    """odoo.exceptions.AccessError: fault 4."""

    fault_code = FAULT_ACCESS_ERROR


class AccessDenied(Exception):
    """odoo.exceptions.AccessDenied: fault 3, always 'Access Denied' over RPC."""

    fault_code = FAULT_ACCESS_DENIED

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


# psycopg2 exceptions, named so that tracebacks print them as Odoo's do ("psycopg2.errors.X: ...").
class OperationalError(Exception):
    """psycopg2.OperationalError (e.g. the database does not exist)."""


class DataError(Exception):
    """psycopg2.DataError."""


class DatetimeFieldOverflow(DataError):
    """psycopg2.errors.DatetimeFieldOverflow."""


class InvalidDatetimeFormat(DataError):
    """psycopg2.errors.InvalidDatetimeFormat."""


class InvalidTextRepresentation(DataError):
    """psycopg2.errors.InvalidTextRepresentation."""


class ProgrammingError(Exception):
    """psycopg2.ProgrammingError."""


class UndefinedFunction(ProgrammingError):
    """psycopg2.errors.UndefinedFunction (e.g. comparing a varchar column with an integer)."""


OperationalError.__module__ = "psycopg2"
DataError.__module__ = "psycopg2"
ProgrammingError.__module__ = "psycopg2"
for _cls in (
    DatetimeFieldOverflow,
    InvalidDatetimeFormat,
    InvalidTextRepresentation,
    UndefinedFunction,
):
    _cls.__module__ = "psycopg2.errors"
for _odoo_cls in (UserError, ValidationError, MissingError, AccessError, AccessDenied):
    _odoo_cls.__module__ = "odoo.exceptions"


def db_missing(db: str) -> OperationalError:
    """What Odoo raises when the database named in a call does not exist."""
    return OperationalError(
        f'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "{db}" does not exist\n'
    )


def sql_error(cls: type[Exception], message: str, hint: str | None = None) -> Exception:
    """A psycopg2 error text as PostgreSQL words it: message, LINE 1 with a caret, optional HINT."""
    text = f"{message}\nLINE 1: ...\n        ^\n"
    if hint:
        text += f"HINT:  {hint}\n"
    return cls(text)


def missing_records(model: str, ids: list[int], uid: int) -> MissingError:
    """MissingError for ids that do not exist, worded like Odoo 17.

    Odoo raises it from the first field read on a missing record (odoo/fields.py ``Field.__get__``), so it
    names only the FIRST missing id in the order given, as a one-record recordset: ``write`` / ``unlink``
    of ``[ok, 999998, 999999]`` says ``(Record: model(999998,), ...)`` (checked against a real Odoo 17.0).
    """
    return MissingError(f"Record does not exist or has been deleted.\n(Record: {model}{tuple(ids[:1])!r}, User: {uid})")


def not_null_violation(
    model_label: str, model: str, field_label: str, field: str, version: int = 17
) -> ValidationError:
    """A NOT NULL violation as odoo/service/model.py turns it into a ValidationError."""
    values = {"model_label": model_label, "model": model, "field_label": field_label, "field": field}
    error = ValidationError(versions.text(version, "not_null", **values))
    error.not_null = (field, field_label)
    return error


def fk_violation(model_label: str, model: str, field: str, field_label: str = "", version: int = 17) -> ValidationError:
    """A foreign key violation (insert of a missing id, or delete of a referenced row), as Odoo words it
    (19 names the field by its declared label: the project plan's ``account_id`` is 'Project Account')."""
    label = "Project Account" if field == "account_id" else field_label
    table = model.replace(".", "_")
    values = {"model_label": model_label, "model": model, "field": field, "field_label": label, "table": table}
    return ValidationError(versions.text(version, "fk", **values))


def to_fault(exc: BaseException) -> xmlrpc.client.Fault:
    """Map an exception to the Fault Odoo's /xmlrpc/2 endpoints send (xmlrpc_handle_exception_int)."""
    if isinstance(exc, (UserError, AccessError)):
        return xmlrpc.client.Fault(exc.fault_code, str(exc))
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(FAULT_ACCESS_DENIED, str(exc))
    return xmlrpc.client.Fault(FAULT_APPLICATION_ERROR, "".join(traceback.format_exception(exc)))
