from __future__ import annotations

import xmlrpc.client

import pytest

from odoo_sync.errors import classify


@pytest.mark.parametrize(
    ("exc", "kind", "error_class"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "transient", "connection"),
        (TimeoutError("timed out"), "transient", "timeout"),
        (xmlrpc.client.ProtocolError("h/x", 502, "Bad Gateway", {}), "transient", "http"),
        (xmlrpc.client.ProtocolError("h/x", 504, "Gateway Timeout", {}), "transient", "http"),
        (xmlrpc.client.ProtocolError("h/x", 404, "Not Found", {}), "permanent", "http"),
        (xmlrpc.client.Fault(3, "Access Denied"), "auth", "auth"),
        (
            xmlrpc.client.Fault(4, "Private methods (such as _read_group) cannot be called remotely."),
            "permanent",
            "access",
        ),
        (xmlrpc.client.Fault(2, "Record does not exist or has been deleted."), "permanent", "validation"),
        (
            xmlrpc.client.Fault(1, "Traceback...\npsycopg2.errors.SerializationFailure: could not serialize access"),
            "transient",
            "server",
        ),
        (xmlrpc.client.Fault(1, "ValueError: Invalid field 'nope'"), "permanent", "server"),
    ],
)
def test_failures_are_sorted_into_retry_or_stop(exc: BaseException, kind: str, error_class: str) -> None:
    failure = classify(exc)
    assert (failure.kind, failure.error_class) == (kind, error_class)


def test_429_carries_retry_after() -> None:
    failure = classify(xmlrpc.client.ProtocolError("h/x", 429, "Too Many Requests", {"Retry-After": "7"}))
    assert (failure.kind, failure.retry_after) == ("transient", 7.0)


def test_fault_text_keeps_only_the_traceback_last_line() -> None:
    fault = xmlrpc.client.Fault(1, "Traceback (most recent call last):\n  File x\n  line y\nValueError: bad")
    assert classify(fault).text == "Fault 1: ValueError: bad"
