"""Remove secrets from text and values before they reach sync_log, logs or XComs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
_SENSITIVE = re.compile(r"password|passwd|secret|api[_-]?key|token", re.IGNORECASE)
_KEY = r"[\w.-]*(?:password|passwd|secret|api[_-]?key|token)[\w.-]*"
# "password": "x" / 'secret': 'x' (JSON and Python reprs)
_QUOTED = re.compile(rf"""(["']{_KEY}["']\s*[:=]\s*)(["'])(?:\\.|(?!\2).)*\2""", re.IGNORECASE)
# password=x, client_secret: x, PASSWORD = x (stops at separators)
_KEY_VALUE = re.compile(rf"""(\b{_KEY}\b["']?\s*[:=]\s*)(?!["'])[^\s,;&'"}})\]]+""", re.IGNORECASE)
# scheme://user:password@host
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(@)", re.IGNORECASE)


def scrub_text(text: str | None, secrets: Iterable[str] = ()) -> str | None:
    """Mask secret values in free text: known secrets, key=value, JSON pairs and URL userinfo."""
    if text is None:
        return None
    secrets = tuple(secrets)
    if not _SENSITIVE.search(text) and "://" not in text and not any(s and s in text for s in secrets):
        return text  # the common case (keys, Odoo's messages): one search instead of three substitutions
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, MASK)
    text = _QUOTED.sub(rf"\1\2{MASK}\2", text)
    text = _KEY_VALUE.sub(rf"\1{MASK}", text)
    return _USERINFO.sub(rf"\1{MASK}\2", text)


def scrub_value(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Mask secrets in nested dicts/lists: sensitive keys lose their values, strings are scrubbed."""
    secrets = tuple(secrets)
    if isinstance(value, Mapping):
        return {
            k: (MASK if isinstance(k, str) and _SENSITIVE.search(k) else scrub_value(v, secrets))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(scrub_value(v, secrets) for v in value)
    if isinstance(value, str):
        return scrub_text(value, secrets)
    return value
