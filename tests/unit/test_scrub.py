from __future__ import annotations

import pytest

from odoo_sync.scrub import MASK, scrub_text, scrub_value


@pytest.mark.parametrize(
    "text",
    [
        "login failed: password=hunter22 for admin",
        "PASSWORD = hunter22",
        'payload {"password": "hunter22", "login": "admin"}',
        "{'client_secret': 'hunter22'}",
        "secret=hunter22&db=acme",
        "could not reach https://admin:hunter22@odoo.example.org/xmlrpc/2/common",
        "api_key: hunter22",
    ],
)
def test_secret_values_are_masked_in_every_form(text: str) -> None:
    scrubbed = scrub_text(text)
    assert scrubbed is not None
    assert "hunter22" not in scrubbed
    assert MASK in scrubbed


def test_known_secrets_are_masked_anywhere() -> None:
    assert scrub_text("Access Denied for s3cr3t-value", ["s3cr3t-value"]) == f"Access Denied for {MASK}"


def test_innocent_text_is_left_alone() -> None:
    text = "Fault 2: The operation cannot be completed: Field: Description (name)"
    assert scrub_text(text) == text


def test_nested_values_lose_sensitive_keys() -> None:
    value = {"login": "a", "Password": "x", "nested": [{"client_secret": "y", "note": "token=abc123"}]}
    assert scrub_value(value) == {
        "login": "a",
        "Password": MASK,
        "nested": [{"client_secret": MASK, "note": f"token={MASK}"}],
    }
