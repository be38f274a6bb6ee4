"""odoo_sync.record: per source entity, its Odoo record and the values Odoo last received from the sync."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

PRESENT, ABSENT = "present", "absent"
_COLUMNS = "entity_id, odoo_id, state, generation, writes, vals_hash, vals, parent, error, in_source"
_STATES = f"SELECT {_COLUMNS} FROM odoo_sync.record WHERE tenant_id = %s AND entity_type = %s"  # noqa: S608
# The batch travels as one JSON document (json.dumps in C): dumping ten Python arrays of 5,000 values each took
# 0.85 s of a 10,000-line first sync, 12% of it.
_SAVE = (
    "INSERT INTO odoo_sync.record (tenant_id, entity_type, odoo_model, entity_id, odoo_id, state, generation,"
    " writes, vals_hash, vals, parent, error, in_source)"
    " SELECT %s, %s, %s, r.entity_id, r.odoo_id, r.state, r.generation, r.writes, r.vals_hash, r.vals, r.parent,"
    " r.error, r.in_source FROM jsonb_to_recordset(%s::jsonb) AS r(entity_id text, odoo_id bigint, state text,"
    " generation int, writes int, vals_hash text, vals jsonb, parent text, error text, in_source bool)"
    " ON CONFLICT (tenant_id, entity_type, entity_id) DO UPDATE SET odoo_id = EXCLUDED.odoo_id,"
    " state = EXCLUDED.state, generation = EXCLUDED.generation, writes = EXCLUDED.writes,"
    " vals_hash = EXCLUDED.vals_hash, vals = EXCLUDED.vals, parent = EXCLUDED.parent, error = EXCLUDED.error,"
    " in_source = EXCLUDED.in_source, odoo_model = EXCLUDED.odoo_model, updated_at = now()"
)
# By primary key, one probe per id, whatever the planner believes: as a plain join, a plan made while the table
# was small or had no statistics (autovacuum off or behind, a prepared statement's generic plan) hashed every
# record of the tenant for each chunk, quadratic over a first sync (0.6-1 s a chunk at 300,000 records). OFFSET 0
# keeps the lateral subquery from being flattened into that join (PostgreSQL's documented optimization fence).
_STATES_OF = (
    "SELECT r.entity_id, r.odoo_id, r.state, r.generation, r.writes, r.vals_hash, r.vals, r.parent, r.error,"
    " r.in_source FROM unnest(%s::text[]) AS u(id) CROSS JOIN LATERAL (SELECT * FROM odoo_sync.record r"
    " WHERE r.tenant_id = %s AND r.entity_type = %s AND r.entity_id = u.id OFFSET 0) r"
)
# Rows in error: a rejected source row, or a record Odoo refused to delete (still present even when the source
# dropped the row). Both are retried on every run until they pass.
_REJECTED = (
    "SELECT entity_id FROM odoo_sync.record WHERE tenant_id = %s AND entity_type = %s AND error IS NOT NULL"
    " AND (in_source OR state = 'present') ORDER BY entity_id"
)
_COUNT = "SELECT count(*) FROM odoo_sync.record WHERE tenant_id = %s AND entity_type = %s AND in_source"
_COUNT_IN_STATE = _COUNT + " AND state = %s"
_UNSEEN_WHERE = (
    " FROM odoo_sync.record r WHERE tenant_id = %s AND entity_type = %s AND state = 'present'"
    " AND NOT EXISTS (SELECT 1 FROM odoo_sync_seen s WHERE s.id = r.entity_id)"
)
_COUNT_UNSEEN = "SELECT count(*)" + _UNSEEN_WHERE
_UNSEEN = "SELECT " + _COLUMNS + _UNSEEN_WHERE + " ORDER BY entity_id"
# Children whose last-written accounts are not what their parent resolves to now (or whose parent is gone).
_STALE = (
    "SELECT r.entity_id FROM odoo_sync.record r"
    " LEFT JOIN unnest(%(parents)s::text[], %(expected)s::jsonb[]) AS t(parent, expected) ON t.parent = r.parent"
    " WHERE r.tenant_id = %(tenant)s AND r.entity_type = %(entity)s AND r.state = 'present' AND r.vals IS NOT NULL"
    " AND (t.parent IS NULL OR NOT (r.vals @> t.expected)) ORDER BY r.entity_id"
)


@dataclass(frozen=True, slots=True)
class RecordState:
    """What the sync knows of one entity in Odoo."""

    entity_id: str
    odoo_id: int | None = None
    state: str = ABSENT
    generation: int = 0
    writes: int = 0
    vals_hash: str | None = None
    vals: dict[str, Any] | None = None
    parent: str | None = None
    error: str | None = None
    in_source: bool = True

    @property
    def present(self) -> bool:
        return self.state == PRESENT

    def but(self, **changes: Any) -> RecordState:
        return replace(self, **changes)


def _state(row: Sequence[Any]) -> RecordState:
    return RecordState(*row)


_FIELDS = tuple(f.name for f in fields(RecordState))


def _as_dict(st: RecordState) -> dict[str, Any]:
    return {name: getattr(st, name) for name in _FIELDS}


class RecordStore:
    """Reads and batched upserts of one tenant's records; each call is one statement and commits."""

    def __init__(self, conn: psycopg.Connection, tenant_id: str) -> None:
        self.conn = conn
        self.tenant_id = tenant_id

    def states(self, entity_type: str, entity_ids: Iterable[str]) -> dict[str, RecordState]:
        """The records of these entities (one query by primary key)."""
        with self._cursor() as cur:
            rows = cur.execute(_STATES_OF, (list(entity_ids), self.tenant_id, entity_type)).fetchall()
        return {row[0]: _state(row) for row in rows}

    def all_states(self, entity_type: str) -> dict[str, RecordState]:
        """Every record of a (small) entity type: projects, categories, budget lines."""
        with self._cursor() as cur:
            rows = cur.execute(_STATES, (self.tenant_id, entity_type)).fetchall()
        return {row[0]: _state(row) for row in rows}

    def rejected_ids(self, entity_type: str) -> list[str]:
        """Entities whose source row was rejected, or whose record Odoo refused to delete: they are read again on
        every run until they pass."""
        with self._cursor() as cur:
            return [r[0] for r in cur.execute(_REJECTED, (self.tenant_id, entity_type)).fetchall()]

    def stale_children(self, entity_type: str, expected: dict[str, dict[str, Any]]) -> list[str]:
        """Children whose written values disagree with ``expected`` (parent -> values it implies)."""
        params = {
            "tenant": self.tenant_id,
            "entity": entity_type,
            "parents": list(expected),
            "expected": [Jsonb(v) for v in expected.values()],
        }
        with self._cursor() as cur:
            return [r[0] for r in cur.execute(_STALE, params).fetchall()]

    def count(self, entity_type: str, state: str | None = None) -> int:
        """Records of rows the source still has (in one state, or all)."""
        with self._cursor() as cur:
            if state is None:
                row = cur.execute(_COUNT, (self.tenant_id, entity_type)).fetchone()
            else:
                row = cur.execute(_COUNT_IN_STATE, (self.tenant_id, entity_type, state)).fetchone()
        return int(row[0]) if row else 0

    def save(self, entity_type: str, model: str, states: Sequence[RecordState]) -> None:
        """Upsert whole records (one statement for the batch)."""
        if not states:
            return
        rows = json.dumps([_as_dict(st) for st in states])
        with self.conn.cursor() as cur:
            cur.execute(_SAVE, (self.tenant_id, entity_type, model, rows))
        self.conn.commit()

    # -- full comparison: the source's ids go to a temporary table, so memory stays flat --------------------
    def seen_reset(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS odoo_sync_seen (id text PRIMARY KEY)")
            cur.execute("TRUNCATE odoo_sync_seen")
        self.conn.commit()

    def seen_add(self, entity_ids: Iterable[str]) -> None:
        with self.conn.cursor() as cur, cur.copy("COPY odoo_sync_seen (id) FROM STDIN") as copy:
            for entity_id in entity_ids:
                copy.write_row((entity_id,))
        self.conn.commit()

    def count_unseen(self, entity_type: str) -> int:
        """Present records whose source row was not seen: the source deleted them."""
        with self._cursor() as cur:
            row = cur.execute(_COUNT_UNSEEN, (self.tenant_id, entity_type)).fetchone()
        return int(row[0]) if row else 0

    def unseen(self, entity_type: str, chunk: int = 5000) -> Iterator[list[RecordState]]:
        with self._cursor() as cur:
            rows = cur.execute(_UNSEEN, (self.tenant_id, entity_type)).fetchall()
        for start in range(0, len(rows), chunk):
            yield [_state(r) for r in rows[start : start + chunk]]

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor for one statement, committed after it (reads too: no transaction is left open)."""
        with self.conn.cursor() as cur:
            yield cur
        self.conn.commit()
