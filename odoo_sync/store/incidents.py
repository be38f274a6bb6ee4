"""What the two incident tables share: an open incident is paged at most once and resolved once.

``health_incident`` (a red tenant) and ``drift_incident`` (Odoo changed by hand) have the same life: one open
row per tenant, ``alerted_at`` set when on-call is paged, ``resolved_at`` (and ``recovery_sent_at`` if paged)
when it ends. Each claim runs inside the caller's open transaction: the caller commits once the notice went
out, so a retried or doubled run waits on the row lock and then finds the claim already taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident row: one per red episode (health_incident) or drift episode (drift_incident) of a tenant.

    A drift incident's ``drifting_since`` and ``summary`` are read into ``failing_since`` and ``last_error``.
    """

    id: int
    tenant_id: str
    failing_since: datetime
    alerted_at: datetime | None = None
    resolved_at: datetime | None = None
    recovery_sent_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class IncidentTable:
    """One incident table of schema odoo_sync; ``columns`` (a constant) lists them in Incident's field order."""

    table: str
    columns: str

    def claim_alert(self, conn: psycopg.Connection, incident_id: int, now: datetime) -> bool:
        """Mark the incident paged, uncommitted; False if it is paged or resolved already."""
        row = conn.execute(
            sql.SQL(
                "UPDATE odoo_sync.{} SET alerted_at = %s WHERE id = %s AND alerted_at IS NULL"
                " AND resolved_at IS NULL RETURNING id"
            ).format(sql.Identifier(self.table)),
            (now, incident_id),
        ).fetchone()
        return row is not None

    def claim_resolve(self, conn: psycopg.Connection, incident_id: int, now: datetime) -> Incident | None:
        """Resolve the incident (its recovery mail marked sent if it was paged), uncommitted; None if done."""
        row = conn.execute(
            sql.SQL(
                "UPDATE odoo_sync.{} SET resolved_at = %s, recovery_sent_at = CASE WHEN alerted_at IS NOT NULL"
                " THEN %s END WHERE id = %s AND resolved_at IS NULL RETURNING {}"
            ).format(sql.Identifier(self.table), sql.SQL(self.columns)),
            (now, now, incident_id),
        ).fetchone()
        return Incident(*row) if row else None

    def page(self, conn: psycopg.Connection, incident_id: int, now: datetime, notify: Callable[[], bool]) -> None:
        """Claim, notify, then commit; a claim already taken, or nobody to notify (False: the next run tries
        again), rolls back. A notice that fails raises with the claim still uncommitted."""
        if self.claim_alert(conn, incident_id, now) and notify():
            conn.commit()
        else:
            conn.rollback()

    def resolve(
        self, conn: psycopg.Connection, incident_id: int, now: datetime, notify: Callable[[Incident], object]
    ) -> None:
        """Resolve once; ``notify`` (the all-clear) only if on-call was paged for it."""
        resolved = self.claim_resolve(conn, incident_id, now)
        if resolved is not None and resolved.alerted_at is not None:
            notify(resolved)
        conn.commit()
