"""The error taxonomy: one root, transient errors retried by Airflow, permanent ones not, each with its class."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowNotFoundException

import odoo_sync.sync.breaker  # noqa: F401  # defines RemovalRefused, an OdooPermanentError
from odoo_sync.errors import (
    ErrorClass,
    OdooPermanentError,
    OdooSyncError,
    OdooTransientError,
    OdooWrongTenantError,
)
from odoo_sync.health.alerts import DEFAULT_CHAPTER, runbook_chapter
from odoo_sync.health.pinger import failure_class

# The classes stored in odoo_sync.health_ping / health_state before the enum existed: they must keep their values.
STORED = {
    "connection",
    "timeout",
    "http",
    "rate_limited",
    "server",
    "auth",
    "access",
    "validation",
    "tls",
    "version",
    "config",
    "unexpected",
}


def all_errors(root: type[OdooSyncError] = OdooSyncError) -> list[type[OdooSyncError]]:
    subclasses = root.__subclasses__()
    return [*subclasses, *(s for sub in subclasses for s in all_errors(sub))]


ERRORS = all_errors()


def test_stored_error_classes_keep_their_values() -> None:
    assert STORED.issubset(c.value for c in ErrorClass)


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_carries_a_class(cls: type[OdooSyncError]) -> None:
    assert isinstance(cls.error_class, ErrorClass)


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_is_either_retried_or_failed_at_once(cls: type[OdooSyncError]) -> None:
    # Airflow 3's task runner fails an AirflowFailException at once and retries any other AirflowException.
    if issubclass(cls, OdooTransientError):
        assert issubclass(cls, AirflowException) and not issubclass(cls, AirflowFailException)
    else:
        assert issubclass(cls, OdooPermanentError) and issubclass(cls, AirflowFailException)


def test_the_constructor_may_name_the_class() -> None:
    error = OdooTransientError("slow", error_class=ErrorClass.TIMEOUT, retry_after=2.0)
    assert (error.error_class, error.retry_after, OdooTransientError.error_class) == (
        ErrorClass.TIMEOUT,
        2.0,
        ErrorClass.CONNECTION,
    )
    assert OdooPermanentError("no", error_class=ErrorClass.ACCESS).error_class == ErrorClass.ACCESS


@pytest.mark.parametrize(
    ("exc", "error_class"),
    [
        (OdooWrongTenantError("tenant a: connection 'odoo_b' is another's"), "config"),
        (AirflowNotFoundException("The conn_id `odoo_x` isn't defined"), "config"),
        (OdooTransientError("busy", error_class=ErrorClass.RATE_LIMITED), "rate_limited"),
        (ConnectionRefusedError(111, "Connection refused"), "connection"),
    ],
)
def test_the_pinger_reads_the_class_the_error_carries(exc: BaseException, error_class: str) -> None:
    assert failure_class(exc) == error_class


def test_every_class_has_a_runbook_chapter() -> None:
    assert runbook_chapter("config")[0] == "config-connection-missing-or-misassigned"
    assert runbook_chapter("unexpected") == runbook_chapter("no-such-class") == runbook_chapter(None) == DEFAULT_CHAPTER
    assert all(runbook_chapter(c)[0] for c in ErrorClass)
