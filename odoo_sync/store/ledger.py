"""The idempotency ledger: check a key before a mutation, record its Odoo id after."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg

from odoo_sync.keys import IdempotencyKey

PENDING, DONE = "pending", "done"

# Each write is one statement per batch (arrays unnested server-side), not one per row.
_INSERT = (
    "INSERT INTO odoo_sync.ledger AS l (idempotency_key, tenant_id, entity_type, entity_id, operation,"
    " odoo_model, odoo_id, state)"
    " SELECT k, t, e, i, o, %s, d, %s FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[],"
    " %s::bigint[]) AS u(k, t, e, i, o, d)"
)
_MARK_PENDING = (
    _INSERT + " ON CONFLICT (idempotency_key) DO UPDATE SET state = 'pending', error = NULL,"
    " attempts = l.attempts + 1, updated_at = now(), odoo_id = COALESCE(EXCLUDED.odoo_id, l.odoo_id)"
    " WHERE l.state <> 'done'"
)
_RECORD_DONE = _INSERT + " ON CONFLICT (idempotency_key) DO NOTHING"
_MARK_DONE = (
    "UPDATE odoo_sync.ledger l SET state = 'done', odoo_id = u.id, error = NULL, updated_at = now()"
    " FROM unnest(%s::text[], %s::bigint[]) AS u(key, id) WHERE l.idempotency_key = u.key"
)
_MARK_ERROR = (
    "UPDATE odoo_sync.ledger l SET state = 'error', error = u.error, updated_at = now()"
    " FROM unnest(%s::text[], %s::text[]) AS u(key, error) WHERE l.idempotency_key = u.key AND l.state <> 'done'"
)
_LOOKUP = "SELECT idempotency_key, state, odoo_id FROM odoo_sync.ledger WHERE idempotency_key = ANY(%s)"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What the ledger knows of one key."""

    key: str
    state: str
    odoo_id: int | None


class Ledger:
    """Ledger rows in odoo_sync.ledger; every method is one statement (whatever the batch size) and commits."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def lookup(self, keys: Iterable[IdempotencyKey | str]) -> dict[str, LedgerEntry]:
        """One query for a whole batch of keys."""
        texts = [str(k) for k in keys]
        with self._cursor() as cur:
            cur.execute(_LOOKUP, (texts,))
            rows = cur.fetchall()
        return {row[0]: LedgerEntry(row[0], row[1], row[2]) for row in rows}

    def mark_pending(self, model: str, keys: Sequence[IdempotencyKey], odoo_ids: Sequence[int | None] = ()) -> None:
        """Record intent before the call; a key already done is never demoted."""
        ids = list(odoo_ids) if odoo_ids else [None] * len(keys)
        with self._cursor() as cur:
            cur.execute(_MARK_PENDING, (model, PENDING, *_columns(keys, ids)))

    def record_done(self, model: str, done: Sequence[tuple[IdempotencyKey, int]]) -> None:
        """Record keys satisfied as a side effect (a create also writes its first revision)."""
        with self._cursor() as cur:
            cur.execute(_RECORD_DONE, (model, DONE, *_columns([k for k, _ in done], [i for _, i in done])))

    def mark_done(self, odoo_ids: Mapping[str, int]) -> None:
        """Store the Odoo ids of keys whose call succeeded."""
        with self._cursor() as cur:
            cur.execute(_MARK_DONE, (list(odoo_ids), list(odoo_ids.values())))

    def mark_error(self, errors: Mapping[str, str]) -> None:
        """Odoo refused these keys and rolled back: nothing exists, a later run may try again."""
        with self._cursor() as cur:
            cur.execute(_MARK_ERROR, (list(errors), list(errors.values())))

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor for one statement, committed after it."""
        with self.conn.cursor() as cur:
            yield cur
        self.conn.commit()


def _columns(keys: Sequence[IdempotencyKey], odoo_ids: Sequence[int | None]) -> tuple[list[Any], ...]:
    """The arrays _INSERT unnests, one per column."""
    return (
        [str(k) for k in keys],
        [k.tenant_id for k in keys],
        [k.entity_type for k in keys],
        [k.entity_id for k in keys],
        [k.operation for k in keys],
        list(odoo_ids),
    )
