"""The store's row types stay in step with what the packages above hand it."""

from __future__ import annotations

from dataclasses import fields

from odoo_sync.health.pinger import PingResult
from odoo_sync.store.health import PING_COLUMNS


def test_health_ping_columns_are_the_ping_results_fields() -> None:
    assert tuple(f.name for f in fields(PingResult)) == PING_COLUMNS
