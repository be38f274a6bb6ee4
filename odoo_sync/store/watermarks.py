"""odoo_sync.watermark: each tenant's committed cursor per entity (what ``sync.cursor`` plans windows from)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

_READ = (
    "SELECT watermark, reconciled_at, settled_before, settled_fingerprint FROM odoo_sync.watermark"
    " WHERE tenant_id = %s AND entity_type = %s"
)
_ADVANCE = (
    "INSERT INTO odoo_sync.watermark AS w (tenant_id, entity_type, watermark, reconciled_at, settled_before,"
    " settled_fingerprint) VALUES (%s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (tenant_id, entity_type) DO UPDATE SET"
    " watermark = GREATEST(w.watermark, EXCLUDED.watermark),"
    " reconciled_at = COALESCE(GREATEST(w.reconciled_at, EXCLUDED.reconciled_at), w.reconciled_at),"
    " settled_before = EXCLUDED.settled_before, settled_fingerprint = EXCLUDED.settled_fingerprint,"
    " updated_at = now()"
    " WHERE w.watermark IS NULL OR EXCLUDED.watermark >= w.watermark"
)


@dataclass(frozen=True, slots=True)
class Mark:
    """The committed state of a tenant's cursor (all None: the tenant has never run)."""

    watermark: datetime | None = None
    reconciled_at: datetime | None = None
    settled_before: datetime | None = None
    settled_fingerprint: str | None = None


def read_mark(conn: psycopg.Connection, tenant_id: str, entity_type: str) -> Mark:
    """The tenant's committed mark for ``entity_type``."""
    row = conn.execute(_READ, (tenant_id, entity_type)).fetchone()
    conn.commit()
    return Mark(*row) if row else Mark()


def advance(conn: psycopg.Connection, tenant_id: str, entity_type: str, mark: Mark) -> None:
    """Move the mark forward (never back; ``reconciled_at`` None keeps the stored one) and commit."""
    args = (tenant_id, entity_type, mark.watermark, mark.reconciled_at, mark.settled_before, mark.settled_fingerprint)
    conn.execute(_ADVANCE, args)
    conn.commit()
