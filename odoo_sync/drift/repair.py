"""Repair after a drift check, only when a person asks (the ``repair`` param): never automatic, since finance
may have changed Odoo on purpose. Repair marks records in the record store; the reconciliation it triggers
writes the source's values back, creates deleted records again and restores archived ones."""

from __future__ import annotations

import logging
from typing import Any

from odoo_sync.drift.report import DRIFT, HAND, MissingRecord
from odoo_sync.store import db
from odoo_sync.store import drift as drift_store
from odoo_sync.store.locks import lock_tenant, record_holder

log = logging.getLogger(__name__)
FINEST_FIRST = ("budget_line", "category", "project")  # rewrite the fewest lines that explain the drift


def mark_for_repair(tenant_id: str) -> dict[str, int]:
    """Act on the tenant's latest check: returns how many records were marked (all zero: nothing to repair)."""
    with db.connect() as conn:
        lock_tenant(conn, tenant_id)  # a sync run writing these records meanwhile would undo the marks
        record_holder(conn, tenant_id, f"drift repair of {tenant_id}")
        latest = drift_store.latest_check(conn, tenant_id)
        if latest is None or latest[0] != DRIFT:
            log.info("tenant %s: the latest drift check found no drift: nothing to repair", tenant_id)
            return {"records": 0, "lines": 0}
        findings: dict[str, Any] = latest[2]
        missing = [MissingRecord(**m) for m in findings.get("missing", [])]
        deleted = [(m.entity_type, m.entity_id) for m in missing if m.problem == "deleted"]
        changed = [(m.entity_type, m.entity_id) for m in missing if m.problem != "deleted"]
        records = drift_store.forget_missing(conn, tenant_id, deleted, changed)
        lines = _forget_drifted_lines(conn, tenant_id, findings)
    log.info("tenant %s: repair: %s records and %s lines marked for the reconciliation", tenant_id, records, lines)
    return {"records": records, "lines": lines}


def _forget_drifted_lines(conn: Any, tenant_id: str, findings: dict[str, Any]) -> int:
    hand = [t for t in findings.get("totals", []) if t.get("cause") == HAND]
    columns = findings.get("columns", {})
    for role in FINEST_FIRST:
        accounts = [int(t["account_id"]) for t in hand if t["role"] == role]
        if accounts and role in columns:
            return drift_store.forget_values(conn, tenant_id, columns[role], accounts)
    return 0
