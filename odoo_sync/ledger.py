"""The idempotency ledger: check a key before a mutation, record its Odoo id after."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import psycopg

from odoo_sync.keys import IdempotencyKey

PENDING, DONE, ERROR = "pending", "done", "error"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What the ledger knows of one key."""

    key: str
    state: str
    odoo_id: int | None


class Ledger:
    """Ledger rows in odoo_sync.ledger; every method is one statement and commits."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def lookup(self, keys: Iterable[IdempotencyKey | str]) -> dict[str, LedgerEntry]:
        """One query for a whole batch of keys."""
        texts = [str(k) for k in keys]
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT idempotency_key, state, odoo_id FROM odoo_sync.ledger WHERE idempotency_key = ANY(%s)",
                (texts,),
            )
            found = {row[0]: LedgerEntry(row[0], row[1], row[2]) for row in cur.fetchall()}
        self.conn.commit()
        return found

    def mark_pending(self, model: str, keys: Sequence[IdempotencyKey], odoo_ids: Sequence[int | None] = ()) -> None:
        """Record intent before the call; a key already done is never demoted."""
        rows = [
            (str(k), k.tenant_id, k.entity_type, k.entity_id, k.operation, model, odoo_ids[i] if odoo_ids else None)
            for i, k in enumerate(keys)
        ]
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO odoo_sync.ledger AS l (idempotency_key, tenant_id, entity_type, entity_id, operation,"
                " odoo_model, odoo_id, state) VALUES (%s, %s, %s, %s, %s, %s, %s, 'pending')"
                " ON CONFLICT (idempotency_key) DO UPDATE SET state = 'pending', error = NULL,"
                " attempts = l.attempts + 1, updated_at = now(), odoo_id = COALESCE(EXCLUDED.odoo_id, l.odoo_id)"
                " WHERE l.state <> 'done'",
                rows,
            )
        self.conn.commit()

    def mark_done(self, odoo_ids: Mapping[str, int]) -> None:
        """Store the Odoo ids of keys whose call succeeded."""
        with self.conn.cursor() as cur:
            cur.executemany(
                "UPDATE odoo_sync.ledger SET state = 'done', odoo_id = %s, error = NULL, updated_at = now()"
                " WHERE idempotency_key = %s",
                [(odoo_id, key) for key, odoo_id in odoo_ids.items()],
            )
        self.conn.commit()

    def mark_error(self, errors: Mapping[str, str]) -> None:
        """Odoo refused these keys and rolled back: nothing exists, a later run may try again."""
        with self.conn.cursor() as cur:
            cur.executemany(
                "UPDATE odoo_sync.ledger SET state = 'error', error = %s, updated_at = now()"
                " WHERE idempotency_key = %s AND state <> 'done'",
                [(error, key) for key, error in errors.items()],
            )
        self.conn.commit()

    def record_done(self, model: str, done: Sequence[tuple[IdempotencyKey, int]]) -> None:
        """Record keys satisfied as a side effect (a create also writes its first revision)."""
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO odoo_sync.ledger (idempotency_key, tenant_id, entity_type, entity_id, operation,"
                " odoo_model, odoo_id, state) VALUES (%s, %s, %s, %s, %s, %s, %s, 'done')"
                " ON CONFLICT (idempotency_key) DO NOTHING",
                [(str(k), k.tenant_id, k.entity_type, k.entity_id, k.operation, model, i) for k, i in done],
            )
        self.conn.commit()

    def created_ids(
        self, tenant_id: str, entity_type: str, entity_ids: Iterable[str] | None = None
    ) -> dict[str, int]:
        """Odoo ids of entities this integration created (operation 'create', done): all, or these."""
        query = (
            "SELECT entity_id, odoo_id FROM odoo_sync.ledger WHERE tenant_id = %s AND entity_type = %s"
            " AND operation = 'create' AND state = 'done'"
        )
        params: tuple[object, ...] = (tenant_id, entity_type)
        if entity_ids is not None:
            query += " AND entity_id = ANY(%s)"
            params += (list(entity_ids),)
        with self.conn.cursor() as cur:
            cur.execute(query, params)
            found = {row[0]: int(row[1]) for row in cur.fetchall()}
        self.conn.commit()
        return found
