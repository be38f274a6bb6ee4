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


def _retry_after(err: xmlrpc.client.ProtocolError) -> float | None:
    value = err.headers.get("Retry-After") if err.headers else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: let Airflow's backoff decide


def _last_line(text: str) -> str:
    """Odoo sends whole tracebacks as faultString; the last line says what went wrong."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) > 3 and lines[0].startswith("Traceback"):
        return lines[-1]
    return text.strip()
