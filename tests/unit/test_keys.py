from __future__ import annotations

import pytest

from odoo_sync.keys import IdempotencyKey, InvalidKeyError


def test_key_text_form_round_trips() -> None:
    key = IdempotencyKey("acme", "line", "4711", "write-r3")
    assert str(key) == "acme:line:4711:write-r3"
    assert IdempotencyKey.parse(str(key)) == key


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("tenant_id", ""),
        ("entity_id", "a:b"),
        ("entity_type", "has space"),
        ("operation", "x\n"),
        ("entity_id", "x" * 121),
    ],
)
def test_invalid_parts_are_refused_with_the_part_named(part: str, value: str) -> None:
    parts = {"tenant_id": "acme", "entity_type": "line", "entity_id": "1", "operation": "create"} | {part: value}
    with pytest.raises(InvalidKeyError, match=part):
        IdempotencyKey(**parts)


def test_parse_refuses_wrong_arity() -> None:
    with pytest.raises(InvalidKeyError, match="4"):
        IdempotencyKey.parse("acme:line:1")
