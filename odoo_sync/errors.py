"""One error taxonomy: what Airflow should retry, what must stop the task at once, and what an operator sees.

Every error the sync raises is an ``OdooSyncError``. Under it, ``OdooTransientError`` is an ``AirflowException``
(Airflow retries it, as the task's ``retries`` allow) and ``OdooPermanentError`` an ``AirflowFailException``
(the task fails at once, no retry). Each carries an ``ErrorClass`` from construction: the class the health
table, the alert mails and the runbook use. Its values are the strings stored in ``odoo_sync.health_ping``.
"""

from __future__ import annotations

import http.client
import re
import ssl
import xmlrpc.client
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from airflow.sdk.exceptions import AirflowException, AirflowFailException

# Odoo retries these server-side; reaching us means the call may be worth another try.
_TRANSIENT_FAULT = re.compile(r"could not serialize|concurrent update|deadlock detected|too many connections", re.I)


class ErrorClass(StrEnum):
    """The class of a failure an operator sees (health pill, alert mail, runbook chapter)."""

    CONNECTION = "connection"  # refused, reset or dropped connection
    TIMEOUT = "timeout"
    HTTP = "http"  # an HTTP error status with no Odoo answer behind it (proxy, restart)
    RATE_LIMITED = "rate_limited"  # HTTP 429
    SERVER = "server"  # Odoo's own server-side exception (fault 1, JSON-2 500, lock conflict)
    AUTH = "auth"  # wrong login, password or API key
    ACCESS = "access"  # the user lacks rights (or analytic accounting is off)
    VALIDATION = "validation"  # Odoo rejected the values, or a record is missing
    TLS = "tls"  # the server's certificate was rejected
    VERSION = "version"  # Odoo older than 17
    CONFIG = "config"  # the Airflow connection is missing, misassigned or malformed
    SETUP = "setup"  # Odoo is reachable but not set up for the sync (plans, company, binding)
    REFUSED = "refused"  # the write guard refused a call before it was sent
    UNEXPECTED = "unexpected"


class OdooSyncError(AirflowException):
    """Root of the sync's errors; ``error_class`` is the class default unless the constructor is given one."""

    error_class: ErrorClass = ErrorClass.UNEXPECTED

    def __init__(self, message: str, *, error_class: ErrorClass | None = None) -> None:
        super().__init__(message)
        if error_class is not None:
            self.error_class = error_class


class OdooTransientError(OdooSyncError):
    """Worth retrying: connection refused or reset, timeout, HTTP 5xx, 429."""

    error_class = ErrorClass.CONNECTION

    def __init__(
        self,
        message: str,
        *,
        error_class: ErrorClass | None = None,
        retry_after: float | None = None,
        in_doubt: bool = False,
    ) -> None:
        super().__init__(message, error_class=error_class)
        self.retry_after = retry_after
        self.in_doubt = in_doubt  # a write that may have reached Odoo: the retry reads back before writing


class OdooPermanentError(OdooSyncError, AirflowFailException):
    """Retrying cannot help: access, validation, missing records, wrong setup."""


class OdooRecordError(OdooPermanentError):
    """Odoo rejected the records of a create/write (validation, bad value, missing record)."""

    error_class = ErrorClass.VALIDATION


class OdooRowsRefused(OdooRecordError):
    """Odoo's import API (``load``) refused some rows and wrote none: ``rows`` maps row index to Odoo's reason
    (index -1: an error of the whole call that names no row of its own)."""

    def __init__(self, message: str, *, rows: dict[int, str], error_class: ErrorClass | None = None) -> None:
        super().__init__(message, error_class=error_class)
        self.rows = rows


class OdooAuthError(OdooPermanentError):
    """Wrong login, password or API key."""

    error_class = ErrorClass.AUTH


class OdooVersionError(OdooPermanentError):
    """The server is older than Odoo 17 (one analytic axis only)."""

    error_class = ErrorClass.VERSION


class OdooConfigError(OdooPermanentError):
    """The tenant's Airflow connection cannot be used as it is (malformed extra)."""

    error_class = ErrorClass.CONFIG


class OdooWrongTenantError(OdooConfigError):
    """The connection's extra names another tenant: a tenant's DAG may only use its own Odoo connection."""


class OdooSetupError(OdooPermanentError):
    """Odoo is reachable but not set up for the sync (plans, analytic accounting)."""

    error_class = ErrorClass.SETUP


class OdooWriteRefused(OdooPermanentError):
    """The write guard refused a call before it was sent."""

    error_class = ErrorClass.REFUSED


class LoginRefused(Exception):
    """``authenticate`` answered False: wrong login, password or API key."""


class Json2Error(Exception):
    """An error answer of Odoo's JSON-2 API, or of a proxy in front of it.

    Holds the HTTP status and, from Odoo's error body, the exception ``name`` and ``message`` only: the body's
    ``debug`` (a full server traceback) is dropped before this is built, so it never reaches a log.
    """

    def __init__(self, status: int, message: str, *, name: str | None = None, retry_after: float | None = None):
        super().__init__(f"HTTP {status}{f' {name}' if name else ''}: {message}")
        self.status = status
        self.name = name
        self.message = message
        self.retry_after = retry_after


class RowsRefused(Exception):
    """``load`` answered ``ids: False``: Odoo refused these rows (index -> reason) and rolled the whole call back."""

    def __init__(self, rows: dict[int, str]) -> None:
        shown = "; ".join(f"{_row_name(i)}: {reason}" for i, reason in sorted(rows.items())[:3])
        more = f" (+{len(rows) - 3} more rows)" if len(rows) > 3 else ""
        super().__init__(f"Odoo refused {len(rows)} row(s), none written: {shown}{more}")
        self.rows = rows


def _row_name(index: int) -> str:
    return f"row {index + 1}" if index >= 0 else "the call"


# How the hook raises a failure: OdooTransientError, OdooAuthError, or another OdooPermanentError.
FailureKind = Literal["transient", "permanent", "auth"]


@dataclass(frozen=True, slots=True)
class Failure:
    """How one failed call is classified, for the sync_log and for raising."""

    kind: FailureKind
    error_class: ErrorClass
    text: str
    retry_after: float | None = None


def classify(exc: BaseException) -> Failure:
    """Sort an exception from the transport into transient, permanent or auth, with its error class."""
    name = type(exc).__name__
    if isinstance(exc, LoginRefused):
        return Failure("auth", ErrorClass.AUTH, str(exc))
    if isinstance(exc, xmlrpc.client.Fault):
        return _classify_fault(exc)
    if isinstance(exc, xmlrpc.client.ProtocolError):
        return _classify_http(exc)
    if isinstance(exc, Json2Error):
        return _classify_json2(exc)
    if isinstance(exc, RowsRefused):
        return Failure("permanent", ErrorClass.VALIDATION, str(exc))
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Failure("permanent", ErrorClass.TLS, f"TLS certificate rejected: {exc}")
    if isinstance(exc, TimeoutError):
        return Failure("transient", ErrorClass.TIMEOUT, f"{name}: {exc}")
    if isinstance(exc, (ConnectionError, http.client.HTTPException, OSError)):
        return Failure("transient", ErrorClass.CONNECTION, f"{name}: {exc}")
    return Failure("permanent", ErrorClass.UNEXPECTED, f"{name}: {exc}")


# XML-RPC fault codes (Odoo's RPC dispatcher) that are not fault 1, Odoo's generic server error.
_FAULT_CLASS = {2: ErrorClass.VALIDATION, 4: ErrorClass.ACCESS}  # 2: a UserError (validation, missing record)


def _classify_fault(fault: xmlrpc.client.Fault) -> Failure:
    text = f"Fault {fault.faultCode}: {_last_line(str(fault.faultString))}"
    code = fault.faultCode if isinstance(fault.faultCode, int) else None
    if code == 3:  # AccessDenied: the login
        return Failure("auth", ErrorClass.AUTH, text)
    if code == 1 and _TRANSIENT_FAULT.search(str(fault.faultString)):
        return Failure("transient", ErrorClass.SERVER, text)
    return Failure("permanent", _FAULT_CLASS.get(code or 0, ErrorClass.SERVER), text)


def _classify_http(err: xmlrpc.client.ProtocolError) -> Failure:
    text = f"HTTP {err.errcode} {err.errmsg}"
    if err.errcode == 429:
        return Failure("transient", ErrorClass.RATE_LIMITED, text, retry_after=_retry_after(err))
    if err.errcode >= 500:
        return Failure("transient", ErrorClass.HTTP, text)
    return Failure("permanent", ErrorClass.HTTP, text)


# JSON-2 statuses that say what happened whatever the body; 500 and 404 also look at Odoo's exception name.
_JSON2_STATUS: dict[int, tuple[FailureKind, ErrorClass]] = {
    401: ("auth", ErrorClass.AUTH),  # no, wrong or revoked API key (JSON-2 takes no passwords)
    403: ("permanent", ErrorClass.ACCESS),  # AccessError, private method
    409: ("transient", ErrorClass.SERVER),  # LockError: a row is locked by another transaction
    422: ("permanent", ErrorClass.VALIDATION),  # ValidationError, UserError, bad arguments
    429: ("transient", ErrorClass.RATE_LIMITED),
}


def _classify_json2(err: Json2Error) -> Failure:
    text = str(err)
    if err.status == 404 and err.name == "odoo.exceptions.MissingError":
        return Failure("permanent", ErrorClass.VALIDATION, text)  # as XML-RPC's fault 2 for a missing record
    if err.status in _JSON2_STATUS:
        kind, error_class = _JSON2_STATUS[err.status]
        return Failure(kind, error_class, text, retry_after=err.retry_after)
    if err.status == 500 and err.name:  # Odoo's own exception, like XML-RPC's fault 1
        transient = _TRANSIENT_FAULT.search(err.message) or err.name.endswith("ConcurrencyError")
        return Failure("transient" if transient else "permanent", ErrorClass.SERVER, text)
    if err.status >= 500 and err.status != 501:  # no Odoo body: a proxy, a restart, a busy worker
        return Failure("transient", ErrorClass.HTTP, text)
    return Failure("permanent", ErrorClass.HTTP, text)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header; None for an HTTP date (Airflow's backoff decides then)."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _retry_after(err: xmlrpc.client.ProtocolError) -> float | None:
    return retry_after_seconds(err.headers.get("Retry-After") if err.headers else None)


def _last_line(text: str) -> str:
    """Odoo sends whole tracebacks as faultString; the last line says what went wrong."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) > 3 and lines[0].startswith("Traceback"):
        return lines[-1]
    return text.strip()
