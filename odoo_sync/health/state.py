"""The health state machine: recorded ping history + now -> green / amber / red. Pure: no clock, no I/O.

What it reads (``History``, ``Ping``) and returns (``Health``, ``State``) are rows of the health tables,
defined with their SQL in ``odoo_sync.store.health``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from odoo_sync.health.freshness import Freshness
from odoo_sync.health.settings import HealthSettings
from odoo_sync.store.health import Health, History, Ping, State  # the rows the machine reads and returns


def evaluate(
    tenant_id: str, history: History, now: datetime, settings: HealthSettings, sync: Freshness | None = None
) -> Health:
    """Green, amber or red for one tenant at ``now``: its pings, then whether its sync still succeeds."""
    health = _pinged(tenant_id, history, now, settings)
    return _with_sync(health, sync, now) if sync is not None else health


def _with_sync(health: Health, sync: Freshness, now: datetime) -> Health:
    """A sync older than ``amber_after`` turns the tenant amber; older than ``red_after`` red (since then)."""
    if sync.last_success is None or now - sync.last_success <= sync.amber_after:
        return health
    red = now - sync.last_success > sync.red_after
    limit = f"{'red' if red else 'amber'} after {_hours(sync.red_after if red else sync.amber_after)}"
    reason = (
        f"no successful sync since {sync.last_success.astimezone(UTC):%Y-%m-%d %H:%M} UTC "
        f"({_hours(now - sync.last_success)}; {limit})" + (f": {sync.cause}" if sync.cause else "")
    )
    reasons = (reason, *health.reasons)
    if health.state is State.RED or not red:
        state = State.RED if health.state is State.RED else State.AMBER
        return replace(health, state=state, reasons=reasons)
    return replace(health, state=State.RED, since=sync.last_success + sync.red_after, reasons=reasons)


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:,.1f} h"


def _pinged(tenant_id: str, history: History, now: datetime, settings: HealthSettings) -> Health:
    """Green, amber or red from the recorded pings alone."""
    last = history.last
    if last is None:
        return Health(tenant_id, State.AMBER, None, ("no health ping recorded yet",))
    if not last.ok:
        return _failing(tenant_id, history, now, settings)
    reasons = [*_staleness(last, now, settings), *_slowness(last, settings), *last.warnings]
    reasons += _key_warning(last.api_key_expires, now, settings)  # XML-RPC on 19+: a warning of the ping
    state = State.AMBER if reasons else State.GREEN
    return Health(tenant_id, state, history.ok_since or last.ts, tuple(reasons), last, history.last_ok)


def _failing(tenant_id: str, history: History, now: datetime, settings: HealthSettings) -> Health:
    since = history.failing_since or (history.last.ts if history.last else now)
    duration = now - since
    red = history.failures >= settings.red_after_failures and duration >= settings.red_after
    error = history.last.error if history.last else None
    what = f"failing since {since.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({history.failures} failed ping(s))"
    reasons = (what, *([error] if error else []))
    state = State.RED if red else State.AMBER
    return Health(tenant_id, state, since, reasons, history.last, history.last_ok, history.failures)


def _staleness(last: Ping, now: datetime, settings: HealthSettings) -> list[str]:
    if now - last.ts <= settings.stale_after:
        return []
    return [f"no health ping since {last.ts.astimezone(UTC):%Y-%m-%d %H:%M} UTC: is the odoo_health DAG running?"]


def _slowness(last: Ping, settings: HealthSettings) -> list[str]:
    if last.latency_ms is None or last.latency_ms <= settings.slow_ms:
        return []
    return [f"slow: {last.latency_ms:,.0f} ms (threshold {settings.slow_ms:,.0f} ms)"]


def _key_warning(expires: date | None, now: datetime, settings: HealthSettings) -> list[str]:
    if expires is None:
        return []
    days = (expires - now.date()).days
    if days < 0:
        return [f"API key expired on {expires.isoformat()}: issue a new key and update the connection"]
    if days <= settings.key_expiry_warn_days:
        return [f"API key expires on {expires.isoformat()} (in {days} day(s)): rotate it"]
    return []
