"""Sync-log retention: remove rows older than the configured number of days, in batches.

``odoo_sync.sync_log`` is append-only: its trigger refuses UPDATE, DELETE and TRUNCATE unless the transaction
sets ``odoo_sync.retention = 'on'``, and the sync's role (``odoo_sync_writer``, migration 005) has no DELETE
privilege on it at all. So the job calls ``odoo_sync.purge_sync_log(cutoff, batch)`` (migration 011): a function
owned by the schema owner that removes rows by age only, never one of the last day, one short transaction per
batch (so a large purge neither holds long locks nor bloats one transaction). It runs as the owner or the writer.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from odoo_sync.store import db

log = logging.getLogger(__name__)
DEFAULT_BATCH_SIZE = 10_000
DEFAULT_KEEP_DAYS = 400  # a year of audit trail for finance's year-end questions, with a margin
KEEP_DAYS_ENV = "ODOO_SYNC_LOG_KEEP_DAYS"


def keep_days_setting(env: Mapping[str, str] | None = None) -> int:
    """Days of sync_log to keep: ODOO_SYNC_LOG_KEEP_DAYS, else 400."""
    value = (os.environ if env is None else env).get(KEEP_DAYS_ENV, "")
    try:
        return int(value) if value.strip() else DEFAULT_KEEP_DAYS
    except ValueError:
        raise ValueError(f"{KEEP_DAYS_ENV}={value!r} is not a whole number of days") from None


def purge_for_run(context: Mapping[str, Any]) -> int:
    """The maintenance DAG's task: purge relative to the run's own time, never the wall clock."""
    now = context.get("data_interval_end") or context.get("logical_date") or context["dag_run"].run_after
    with db.connect() as conn:
        return purge_sync_log(conn, keep_days_setting(), now=now)


_DELETE_BATCH = "SELECT odoo_sync.purge_sync_log(%s, %s)"  # migration 011: the owner's rights, by age only


def purge_sync_log(
    conn: psycopg.Connection, keep_days: int, *, now: datetime, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Delete rows with ``ts`` older than ``now - keep_days``; return how many went. ``now`` comes from the run."""
    if keep_days < 1:
        raise ValueError(f"keep_days must be at least 1, not {keep_days}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    cutoff = now - timedelta(days=keep_days)
    conn.commit()  # each batch is its own transaction
    total = 0
    while True:
        with conn.transaction():
            row = conn.execute(_DELETE_BATCH, (cutoff, batch_size)).fetchone()
        deleted = int(row[0]) if row else 0
        total += deleted
        if deleted < batch_size:
            break
    log.info("sync_log retention: %s rows older than %s removed", f"{total:,}", cutoff.isoformat())
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Remove sync_log rows older than N days.")
    parser.add_argument("--keep-days", type=int, required=True)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--conn-id", default=db.DEFAULT_DB_CONN_ID)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with db.connect(args.conn_id) as conn:
        n = purge_sync_log(conn, args.keep_days, now=datetime.now(UTC), batch_size=args.batch_size)
    print(f"{n} sync_log rows removed")


if __name__ == "__main__":
    main()
