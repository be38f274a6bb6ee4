"""odoo_sync.health_ping / health_state / health_incident: the health module's rows and its only SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

import psycopg
from psycopg.rows import dict_row

from odoo_sync.store.incidents import Incident, IncidentTable


# -- rows: what the health module writes and reads back --------------------------------------------------
class State(StrEnum):
    """A tenant's health (health_state.state): what the pill shows."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True, slots=True)
class Ping:
    """One recorded health ping."""

    ts: datetime
    ok: bool
    latency_ms: float | None = None
    error_class: str | None = None
    error: str | None = None
    server_version: str | None = None
    warnings: tuple[str, ...] = ()
    api_key_expires: date | None = None


@dataclass(frozen=True, slots=True)
class History:
    """What the state needs from a tenant's recorded pings (built by one SQL query, ``load_histories``).

    ``failing_since`` is the first failed ping after the last good one; ``ok_since`` the first good ping
    after the last failed one. Both come from the table, so a missed health run hides nothing.
    """

    last: Ping | None = None
    last_ok: Ping | None = None
    failing_since: datetime | None = None
    failures: int = 0
    ok_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Health:
    """A tenant's evaluated state, what the pill shows and what alerting reads."""

    tenant_id: str
    state: State
    since: datetime | None
    reasons: tuple[str, ...] = ()
    last: Ping | None = None
    last_ok: Ping | None = None
    failures: int = 0

    @property
    def failed_ping(self) -> Ping | None:
        """The last ping when it failed; None when it answered (a red tenant then is a sync that stopped)."""
        return self.last if self.last is not None and not self.last.ok else None


class NewPing(Protocol):
    """A ping to append (``health.pinger.PingResult``): its attributes are health_ping's columns."""

    @property
    def tenant_id(self) -> str: ...
    @property
    def ts(self) -> datetime: ...
    @property
    def ok(self) -> bool: ...
    @property
    def latency_ms(self) -> float: ...
    @property
    def error_class(self) -> str | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def server_version(self) -> str | None: ...
    @property
    def warnings(self) -> tuple[str, ...]: ...
    @property
    def api_key_expires(self) -> date | None: ...


# -- health_ping ---------------------------------------------------------------------------------------------
PING_COLUMNS = (
    *("tenant_id", "ts", "ok", "latency_ms", "error_class", "error", "server_version"),
    *("warnings", "api_key_expires"),  # written as a text[] and a date
)
_COPY_PINGS = f"COPY odoo_sync.health_ping ({', '.join(PING_COLUMNS)}, run_id) FROM STDIN"
HISTORY_WINDOW = timedelta(days=30)

_LAST = """
    SELECT ts, ok, latency_ms, error_class, error, server_version, warnings, api_key_expires
    FROM odoo_sync.health_ping h
    WHERE h.tenant_id = t.tenant_id AND h.ts <= %(now)s AND h.ts > %(window)s {cond}
    ORDER BY h.ts DESC, h.id DESC LIMIT 1
"""
_HISTORY = f"""
SELECT t.tenant_id, to_jsonb(l) AS last, to_jsonb(g) AS last_ok,
       f.failing_since, f.failures, o.ok_since
FROM unnest(%(tenants)s::text[]) AS t(tenant_id)
LEFT JOIN LATERAL ({_LAST.format(cond="")}) l ON true
LEFT JOIN LATERAL ({_LAST.format(cond="AND h.ok")}) g ON true
LEFT JOIN LATERAL ({_LAST.format(cond="AND NOT h.ok")}) b ON true
LEFT JOIN LATERAL (
    SELECT min(h.ts) AS failing_since, count(*) AS failures FROM odoo_sync.health_ping h
    WHERE h.tenant_id = t.tenant_id AND NOT h.ok AND h.ts <= %(now)s AND h.ts > %(window)s
      AND h.ts > coalesce(g.ts, '-infinity')
) f ON true
LEFT JOIN LATERAL (
    SELECT min(h.ts) AS ok_since FROM odoo_sync.health_ping h
    WHERE h.tenant_id = t.tenant_id AND h.ok AND h.ts <= %(now)s AND h.ts > %(window)s
      AND h.ts > coalesce(b.ts, '-infinity')
) o ON true
"""  # noqa: S608 - fixed fragments, values are parameters


def insert_pings(conn: psycopg.Connection, results: Sequence[NewPing], run_id: str | None) -> None:
    """Append the run's pings (one COPY) and commit."""
    with conn.cursor() as cur, cur.copy(_COPY_PINGS) as copy:
        for r in results:
            copy.write_row(
                (
                    *(getattr(r, name) for name in PING_COLUMNS[:-2]),
                    list(r.warnings),
                    r.api_key_expires,
                    run_id,
                )
            )
    conn.commit()


def load_histories(conn: psycopg.Connection, tenant_ids: Sequence[str], now: datetime) -> dict[str, History]:
    """Each tenant's History as of ``now`` (pings after ``now`` are ignored, so a replay is exact)."""
    params = {"tenants": list(tenant_ids), "now": now, "window": now - HISTORY_WINDOW}
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(_HISTORY, params)
        rows = cur.fetchall()
    conn.commit()
    return {r["tenant_id"]: _history(r) for r in rows}


def _history(row: dict[str, Any]) -> History:
    return History(
        last=_ping(row["last"]),
        last_ok=_ping(row["last_ok"]),
        failing_since=row["failing_since"],
        failures=int(row["failures"] or 0),
        ok_since=row["ok_since"],
    )


def _ping(data: dict[str, Any] | None) -> Ping | None:
    if not data:
        return None
    return Ping(
        ts=datetime.fromisoformat(data["ts"]),
        ok=bool(data["ok"]),
        latency_ms=float(data["latency_ms"]) if data["latency_ms"] is not None else None,
        error_class=data["error_class"],
        error=data["error"],
        server_version=data["server_version"],
        warnings=tuple(data["warnings"] or ()),
        api_key_expires=_date(data["api_key_expires"]),
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def save_states(conn: psycopg.Connection, healths: Sequence[Health], now: datetime) -> None:
    """Replace the dashboard's rows: configured tenants only, one row each."""
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM odoo_sync.health_state WHERE NOT (tenant_id = ANY(%s))",
            ([h.tenant_id for h in healths],),
        )
        cur.executemany(_UPSERT_STATE, [_state_row(h, now) for h in healths])
    conn.commit()


_UPSERT_STATE = """
INSERT INTO odoo_sync.health_state (tenant_id, state, since, reasons, latency_ms, error_class, last_error,
    last_ping_at, last_ok_at, server_version, failures, evaluated_at)
VALUES (%(tenant_id)s, %(state)s, %(since)s, %(reasons)s, %(latency_ms)s, %(error_class)s, %(last_error)s,
    %(last_ping_at)s, %(last_ok_at)s, %(server_version)s, %(failures)s, %(evaluated_at)s)
ON CONFLICT (tenant_id) DO UPDATE SET
    state = EXCLUDED.state, since = EXCLUDED.since, reasons = EXCLUDED.reasons,
    latency_ms = EXCLUDED.latency_ms, error_class = EXCLUDED.error_class, last_error = EXCLUDED.last_error,
    last_ping_at = EXCLUDED.last_ping_at, last_ok_at = EXCLUDED.last_ok_at,
    server_version = EXCLUDED.server_version, failures = EXCLUDED.failures,
    evaluated_at = EXCLUDED.evaluated_at
"""


def _state_row(h: Health, now: datetime) -> dict[str, Any]:
    last, good = h.last, h.last_ok
    return {
        "tenant_id": h.tenant_id,
        "state": h.state.value,
        "since": h.since,
        "reasons": list(h.reasons),
        "latency_ms": last.latency_ms if last else None,
        "error_class": last.error_class if last and not last.ok else None,
        "last_error": last.error if last and not last.ok else None,
        "last_ping_at": last.ts if last else None,
        "last_ok_at": good.ts if good else None,
        "server_version": (last and last.server_version) or (good and good.server_version) or None,
        "failures": h.failures,
        "evaluated_at": now,
    }


def prune_pings(conn: psycopg.Connection, before: datetime) -> int:
    """Delete pings older than ``before`` (never the last day's); returns how many.

    Through ``odoo_sync.prune_health_pings`` (migration 011): the DAG's login needs no DELETE on the table.
    """
    row = conn.execute("SELECT odoo_sync.prune_health_pings(%s)", (before,)).fetchone()
    conn.commit()
    return int(row[0]) if row else 0


# -- incidents ---------------------------------------------------------------------------------------------
_INCIDENT_COLUMNS = "id, tenant_id, failing_since, alerted_at, resolved_at, recovery_sent_at, last_error"
_OPEN_INCIDENTS = f"SELECT {_INCIDENT_COLUMNS} FROM odoo_sync.health_incident WHERE resolved_at IS NULL"  # noqa: S608
_OPEN_INCIDENT = (
    "INSERT INTO odoo_sync.health_incident (tenant_id, failing_since, last_error) VALUES (%s, %s, %s)"  # noqa: S608
    " ON CONFLICT (tenant_id) WHERE resolved_at IS NULL DO UPDATE SET last_error = EXCLUDED.last_error"
    f" RETURNING {_INCIDENT_COLUMNS}"
)
INCIDENTS = IncidentTable("health_incident", _INCIDENT_COLUMNS)


def open_incidents(conn: psycopg.Connection) -> dict[str, Incident]:
    """The open incident of each tenant that has one."""
    rows = conn.execute(_OPEN_INCIDENTS).fetchall()
    conn.commit()
    return {r[1]: Incident(*r) for r in rows}


def open_incident(conn: psycopg.Connection, tenant_id: str, failing_since: datetime, error: str | None) -> Incident:
    """Record a red episode; a concurrent or retried run finds the same row (one open per tenant)."""
    row = conn.execute(_OPEN_INCIDENT, (tenant_id, failing_since, error)).fetchone()
    conn.commit()
    assert row is not None
    return Incident(*row)


def note_error(conn: psycopg.Connection, incident: Incident, error: str | None) -> None:
    conn.execute("UPDATE odoo_sync.health_incident SET last_error = %s WHERE id = %s", (error, incident.id))
    conn.commit()
