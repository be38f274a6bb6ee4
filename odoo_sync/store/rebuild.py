"""What the records and the ledger say about one entity type, for rebuilding the records from Odoo.

The records are a cache of what Odoo holds. When Odoo and the records disagree (our database lost or restored,
the tenant's Odoo restored, a line deleted by hand), the sync reads Odoo and rewrites the records; these queries
give it the records' own summary (to detect the disagreement), the keys the ledger already spent per entity (so
that no key is ever reused for another record), and the records Odoo no longer holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg

# Present records: how many, the highest Odoo id, the sum of the amounts last written, and how many hold
# unknown values (found again after a crash, their full write still to come).
_FOOTPRINT = (
    "SELECT count(*), max(odoo_id), sum((vals->>'amount')::numeric), count(*) FILTER (WHERE vals IS NULL)"
    " FROM odoo_sync.record WHERE tenant_id = %s AND entity_type = %s AND state = 'present'"
)
# Per entity (probed one id at a time through the entity index, as records.py's _STATES_OF and for its reason):
# the highest generation a create or unlink key was spent on, the generations unlinked, and the
# highest write number. Operations: create, create-g<N>, unlink, unlink-g<N>, write-<N>-<digest>.
_HISTORY = (
    "SELECT l.entity_id,"
    " max(CASE WHEN l.operation ~ '^(create|unlink)$' THEN 1"
    "  ELSE substring(l.operation from '^(?:create|unlink)-g([0-9]+)$')::int END),"
    " array_agg(DISTINCT CASE WHEN l.operation = 'unlink' THEN 1"
    "  ELSE substring(l.operation from '^unlink-g([0-9]+)$')::int END),"
    " max(substring(l.operation from '^write-([0-9]+)-')::int)"
    " FROM unnest(%s::text[]) AS u(id) CROSS JOIN LATERAL (SELECT * FROM odoo_sync.ledger l"
    " WHERE l.tenant_id = %s AND l.entity_type = %s AND l.entity_id = u.id OFFSET 0) l GROUP BY l.entity_id"
)
_SPENT = "SELECT operation FROM odoo_sync.ledger WHERE idempotency_key = ANY(%s) AND state = 'done'"
_FOUND_TABLE = "CREATE TEMP TABLE IF NOT EXISTS odoo_sync_found (id text PRIMARY KEY)"
_NOT_FOUND = (
    "SELECT r.entity_id FROM odoo_sync.record r WHERE r.tenant_id = %s AND r.entity_type = %s"
    " AND r.state = 'present' AND NOT EXISTS (SELECT 1 FROM odoo_sync_found f WHERE f.id = r.entity_id)"
    " ORDER BY r.entity_id"
)
# A write left pending by a crash may have reached Odoo: the record's values are unknown until written again.
_IN_DOUBT = (
    "WITH doubt AS (UPDATE odoo_sync.ledger SET state = 'error', updated_at = now(),"
    " error = 'in doubt after an interrupted run: the record is written again in full'"
    " WHERE tenant_id = %(t)s AND state = 'pending' AND operation LIKE 'write-%%'"
    " RETURNING entity_type, entity_id)"
    " UPDATE odoo_sync.record r SET vals = NULL, vals_hash = NULL, updated_at = now() FROM doubt d"
    " WHERE r.tenant_id = %(t)s AND r.entity_type = d.entity_type AND r.entity_id = d.entity_id"
    " AND r.state = 'present' RETURNING r.entity_type, r.entity_id"
)


@dataclass(frozen=True, slots=True)
class Footprint:
    """Our present records of one entity type as Odoo should hold them: count, highest id, sum of amounts."""

    count: int
    max_id: int | None
    amount: Decimal | None  # None: some values are unknown (the sum proves nothing)


@dataclass(frozen=True, slots=True)
class History:
    """The keys the ledger spent on one entity: its generations, those unlinked, its write numbers."""

    generation: int = 0
    unlinked: frozenset[int] = field(default_factory=frozenset)
    writes: int = 0


def footprint(conn: psycopg.Connection, tenant_id: str, entity_type: str) -> Footprint:
    row = conn.execute(_FOOTPRINT, (tenant_id, entity_type)).fetchone()
    conn.commit()
    assert row is not None
    count, max_id, amount, unknown = row
    return Footprint(int(count), None if max_id is None else int(max_id), None if unknown else (amount or Decimal(0)))


def histories(
    conn: psycopg.Connection, tenant_id: str, entity_type: str, entity_ids: Iterable[str]
) -> dict[str, History]:
    """The ledger's history of these entities (one query, by the ledger's entity index)."""
    rows = conn.execute(_HISTORY, (list(entity_ids), tenant_id, entity_type)).fetchall()
    conn.commit()
    return {
        r[0]: History(int(r[1] or 0), frozenset(int(g) for g in (r[2] or ()) if g is not None), int(r[3] or 0))
        for r in rows
    }


def spent(conn: psycopg.Connection, keys: Iterable[str]) -> set[str]:
    """Which of these keys the ledger holds as done (a key for a new deed must not be one of them)."""
    rows = conn.execute(_SPENT, (list(keys),)).fetchall()
    conn.commit()
    return {r[0] for r in rows}


def found_reset(conn: psycopg.Connection) -> None:
    """Start a read of Odoo: the entities found there go to a temporary table (memory stays flat)."""
    with conn.cursor() as cur:
        cur.execute(_FOUND_TABLE)
        cur.execute("TRUNCATE odoo_sync_found")
    conn.commit()


def found_add(conn: psycopg.Connection, entity_ids: Iterable[str]) -> None:
    with conn.cursor() as cur, cur.copy("COPY odoo_sync_found (id) FROM STDIN") as copy:
        for entity_id in entity_ids:
            copy.write_row((entity_id,))
    conn.commit()


def not_found(conn: psycopg.Connection, tenant_id: str, entity_type: str) -> list[str]:
    """Records that say present, of entities the read of Odoo did not find."""
    rows = conn.execute(_NOT_FOUND, (tenant_id, entity_type)).fetchall()
    conn.commit()
    return [r[0] for r in rows]


def forget_in_doubt_writes(conn: psycopg.Connection, tenant_id: str) -> list[tuple[str, str]]:
    """Writes an interrupted run left pending: their records' values become unknown (the next plan writes them
    in full, with a new key) and the pending keys are closed. Returns (entity type, entity id) of each."""
    rows = conn.execute(_IN_DOUBT, {"t": tenant_id}).fetchall()
    conn.commit()
    return [(r[0], r[1]) for r in rows]
