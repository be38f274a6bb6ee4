"""Idempotency keys: ``tenant_id:entity_type:entity_id:operation``."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Printable, no ':' (the separator), no whitespace, nothing XML cannot carry: keys travel in Odoo's `ref`.
_PART = re.compile(r"[^\s:\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]{1,120}")
_PART_NAMES = ("tenant_id", "entity_type", "entity_id", "operation")


class InvalidKeyError(ValueError):
    """A key part is empty, too long, or holds ':' / whitespace / control characters."""


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """One mutation of one entity for one tenant; its text form is the ledger's primary key."""

    tenant_id: str
    entity_type: str
    entity_id: str
    operation: str

    def __post_init__(self) -> None:
        for name in _PART_NAMES:
            value = getattr(self, name)
            if not isinstance(value, str) or not _PART.fullmatch(value):
                raise InvalidKeyError(
                    f"idempotency key part {name}={value!r} is invalid: it must be 1-120 printable "
                    f"characters without ':' or whitespace"
                )

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.entity_type}:{self.entity_id}:{self.operation}"

    @classmethod
    def parse(cls, text: str) -> IdempotencyKey:
        """Read a key back from its text form."""
        parts = text.split(":")
        if len(parts) != 4:
            raise InvalidKeyError(f"idempotency key {text!r} must have 4 ':'-separated parts")
        return cls(*parts)
