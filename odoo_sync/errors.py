"""Failure classes: what Airflow should retry, and what must stop the task at once."""

from __future__ import annotations

import http.client
import re
import ssl
import xmlrpc.client
from dataclasses import dataclass

from airflow.sdk.exceptions import AirflowException, AirflowFailException

# Odoo retries these server-side; reaching us means the call may be worth another try.
_TRANSIENT_FAULT = re.compile(r"could not serialize|concurrent update|deadlock detected|too many connections", re.I)


class OdooTransientError(AirflowException):
    """Worth retrying: connection refused or reset, timeout, HTTP 5xx, 429."""

    error_class = "connection"  # the transport failure's class (errors.Failure.error_class)

    def __init__(self, message: str, *, retry_after: float | None = None, in_doubt: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.in_doubt = in_doubt


class OdooPermanentError(AirflowFailException):
    """Retrying cannot help: access, validation, missing records, wrong setup."""

    error_class = "unexpected"


class OdooRecordError(OdooPermanentError):
    """Odoo rejected the records of a create/write (validation, bad value, missing record)."""


class OdooAuthError(OdooPermanentError):
    """Wrong login, password or API key."""


class OdooVersionError(OdooPermanentError):
    """The server is older than Odoo 17 (one analytic axis only)."""


class OdooSetupError(OdooPermanentError):
    """Odoo is reachable but not set up for the sync (plans, analytic accounting)."""


class OdooWriteRefused(OdooPermanentError):
    """The write guard refused a call before it was sent."""


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


@dataclass(frozen=True, slots=True)
class Failure:
    """How one failed call is classified, for the sync_log and for raising."""

    kind: str  # "transient" | "permanent" | "auth"
    error_class: str
    text: str
    retry_after: float | None = None
    fault_code: int | None = None


def classify(exc: BaseException) -> Failure:
    """Sort an exception from the transport into transient, permanent or auth."""
    name = type(exc).__name__
    if isinstance(exc, LoginRefused):
        return Failure("auth", "auth", str(exc))
    if isinstance(exc, xmlrpc.client.Fault):
        return _classify_fault(exc)
    if isinstance(exc, xmlrpc.client.ProtocolError):
        return _classify_http(exc)
    if isinstance(exc, Json2Error):
        return _classify_json2(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Failure("permanent", "tls", f"TLS certificate rejected: {exc}")
    if isinstance(exc, (TimeoutError, ConnectionError, http.client.HTTPException, OSError)):
        return Failure("transient", "timeout" if isinstance(exc, TimeoutError) else "connection", f"{name}: {exc}")
    return Failure("permanent", "unexpected", f"{name}: {exc}")


def _classify_fault(fault: xmlrpc.client.Fault) -> Failure:
    text = f"Fault {fault.faultCode}: {_last_line(str(fault.faultString))}"
    code = fault.faultCode if isinstance(fault.faultCode, int) else None
    if code == 3:
        return Failure("auth", "auth", text, fault_code=code)
    if code == 1 and _TRANSIENT_FAULT.search(str(fault.faultString)):
        return Failure("transient", "server", text, fault_code=code)
    error_class = {2: "validation", 4: "access"}.get(code or 0, "server")
    return Failure("permanent", error_class, text, fault_code=code)


def _classify_http(err: xmlrpc.client.ProtocolError) -> Failure:
    text = f"HTTP {err.errcode} {err.errmsg}"
    if err.errcode == 429:
        return Failure("transient", "rate_limited", text, retry_after=_retry_after(err))
    if err.errcode >= 500:
        return Failure("transient", "http", text)
    return Failure("permanent", "http", text)


# JSON-2 statuses that say what happened whatever the body; 500 and 404 also look at Odoo's exception name.
_JSON2_STATUS = {
    401: ("auth", "auth"),  # no, wrong or revoked API key (JSON-2 takes no passwords)
    403: ("permanent", "access"),  # AccessError, private method
    409: ("transient", "server"),  # LockError: a row is locked by another transaction
    422: ("permanent", "validation"),  # ValidationError, UserError, bad arguments
    429: ("transient", "rate_limited"),
}


def _classify_json2(err: Json2Error) -> Failure:
    text = str(err)
    if err.status == 404 and err.name == "odoo.exceptions.MissingError":
        return Failure("permanent", "validation", text)  # as XML-RPC's fault 2 for a missing record
    if err.status in _JSON2_STATUS:
        kind, error_class = _JSON2_STATUS[err.status]
        return Failure(kind, error_class, text, retry_after=err.retry_after)
    if err.status == 500 and err.name:  # Odoo's own exception, like XML-RPC's fault 1
        transient = _TRANSIENT_FAULT.search(err.message) or err.name.endswith("ConcurrencyError")
        return Failure("transient" if transient else "permanent", "server", text)
    if err.status >= 500 and err.status != 501:  # no Odoo body: a proxy, a restart, a busy worker
        return Failure("transient", "http", text)
    return Failure("permanent", "http", text)


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
