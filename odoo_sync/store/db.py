"""Connections to the integration's own PostgreSQL (Airflow connection ``odoo_sync_db``)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

DEFAULT_DB_CONN_ID = "odoo_sync_db"


def conninfo_for(conn_id: str = DEFAULT_DB_CONN_ID) -> str:
    """Build a libpq conninfo string from an Airflow connection."""
    from airflow.sdk import BaseHook

    return conninfo_of(BaseHook.get_connection(conn_id))


def conninfo_of(conn: Any) -> str:
    """A libpq conninfo string from a resolved Airflow connection (the triggerer resolves it asynchronously)."""
    return make_conninfo(
        host=conn.host or "127.0.0.1",
        port=conn.port or 5432,
        user=conn.login or "postgres",
        password=conn.password or None,
        dbname=conn.schema or "postgres",
        application_name="odoo_sync",
    )


def connect(conn_id: str = DEFAULT_DB_CONN_ID) -> psycopg.Connection:
    """Open a connection (autocommit off: callers commit what belongs together)."""
    return psycopg.connect(conninfo_for(conn_id))
