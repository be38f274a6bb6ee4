"""The integration's metrics, through Airflow's own Stats (StatsD, Datadog or OpenTelemetry, as ``[metrics]``
configures it; nothing is sent when metrics are off). The names are data: docs/metrics.md lists the same table,
and a test checks the two agree. ``<tenant>`` is in the name (plain StatsD has no tags); tags carry it too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)

# name template -> (type, meaning). Placeholders: tenant, outcome, model (dots as _), method, state.
METRICS: dict[str, tuple[str, str]] = {
    "odoo_sync.calls.{tenant}.{outcome}": ("counter", "Odoo calls of the tenant (ok, error)"),
    "odoo_sync.call_ms.{tenant}": ("timer", "latency of each Odoo call, milliseconds"),
    "odoo_sync.mutations.{tenant}.{model}.{method}": ("counter", "records created, written or unlinked"),
    "odoo_sync.mutation_errors.{tenant}.{model}.{method}": ("counter", "records whose mutating call failed"),
    "odoo_sync.rejected.{tenant}": ("counter", "source rows rejected by validation (never sent)"),
    "odoo_sync.in_doubt_readbacks.{tenant}": ("counter", "pending keys looked up in Odoo after a crash or timeout"),
    "odoo_sync.health.{tenant}": ("gauge", "health state: 0 green, 1 amber, 2 red"),
    "odoo_sync.health_tenants.{state}": ("gauge", "tenants in each health state (green, amber, red)"),
    "odoo_sync.ping_ms.{tenant}": ("timer", "latency of the health ping's call"),
    "odoo_sync.drift.{tenant}": ("gauge", "drift check: 0 clean, 1 pending, 2 drift, 3 check failed"),
    "odoo_sync.lines_waiting.{tenant}": ("gauge", "source lines the next sync would write (drift check)"),
}
MUTATING = frozenset({"create", "write", "unlink", "load"})
NOT_CALLS = frozenset({"drift_check", "validate"})  # sync_log rows that record no Odoo call
LEVEL = {"green": 0, "amber": 1, "red": 2, "clean": 0, "pending": 1, "drift": 2, "error": 3}


def name(template: str, **parts: Any) -> str:
    """A metric's name from its template; parts are made safe for StatsD (dots inside a part become _)."""
    from airflow.sdk.observability.stats import normalize_name_for_stats

    safe = {k: normalize_name_for_stats(str(v).replace(".", "_"), log_warning=False) for k, v in parts.items()}
    return template.format(**safe)


def calls(
    tenant_id: str,
    model: str | None,
    method: str,
    outcome: str,
    latency_ms: float | None,
    keyed: int,
    undone: int = 0,
) -> None:
    """One Odoo call: count, latency, records mutated, and in-doubt read-backs (a read about keyed entities).

    ``undone``: keyed records an answered call left unwritten (rows ``load`` skipped): mutation errors.
    """
    if method in NOT_CALLS:
        return
    tags = {"tenant": tenant_id, "model": model or "", "method": method}
    _incr(name("odoo_sync.calls.{tenant}.{outcome}", tenant=tenant_id, outcome=outcome), 1, tags)
    if latency_ms is not None:
        _timing(name("odoo_sync.call_ms.{tenant}", tenant=tenant_id), latency_ms, tags)
    if method in MUTATING and keyed:
        done = keyed - undone if outcome == "ok" else 0
        for template, count in (("odoo_sync.mutations", done), ("odoo_sync.mutation_errors", keyed - done)):
            metric = name(template + ".{tenant}.{model}.{method}", tenant=tenant_id, model=model, method=method)
            if count:
                _incr(metric, count, tags)
    elif keyed and outcome == "ok":
        _incr(name("odoo_sync.in_doubt_readbacks.{tenant}", tenant=tenant_id), keyed, tags)


def rejected(tenant_id: str, count: int) -> None:
    if count:
        _incr(name("odoo_sync.rejected.{tenant}", tenant=tenant_id), count, {"tenant": tenant_id})


def health(states: Sequence[tuple[str, str, float | None]]) -> None:
    """Per tenant (tenant, state, ping latency ms): its level and ping time; and how many are in each state."""
    totals = dict.fromkeys(("green", "amber", "red"), 0)
    for tenant_id, state, latency_ms in states:
        totals[state] = totals.get(state, 0) + 1
        _gauge(name("odoo_sync.health.{tenant}", tenant=tenant_id), LEVEL[state], {"tenant": tenant_id})
        if latency_ms is not None:
            _timing(name("odoo_sync.ping_ms.{tenant}", tenant=tenant_id), latency_ms, {"tenant": tenant_id})
    for state, n in totals.items():
        _gauge(name("odoo_sync.health_tenants.{state}", state=state), n, {"state": state})


def drift(tenant_id: str, state: str, lines_waiting: int | None) -> None:
    tags = {"tenant": tenant_id}
    _gauge(name("odoo_sync.drift.{tenant}", tenant=tenant_id), LEVEL[state], tags)
    if lines_waiting is not None:
        _gauge(name("odoo_sync.lines_waiting.{tenant}", tenant=tenant_id), lines_waiting, tags)


# Metrics must never fail a sync: a broken backend is logged once per process and ignored.
_broken = False


def _emit(kind: str, stat: str, value: float, tags: dict[str, Any]) -> None:
    global _broken
    try:
        from airflow.sdk.observability import stats

        if kind == "incr":
            stats.incr(stat, int(value), tags=tags)
        elif kind == "gauge":
            stats.gauge(stat, value, tags=tags)
        else:
            stats.timing(stat, value, tags=tags)
    except Exception:
        if not _broken:
            log.warning("metrics backend failed; odoo_sync metrics are skipped", exc_info=True)
        _broken = True


def _incr(stat: str, count: int, tags: dict[str, Any]) -> None:
    _emit("incr", stat, count, tags)


def _gauge(stat: str, value: float, tags: dict[str, Any]) -> None:
    _emit("gauge", stat, value, tags)


def _timing(stat: str, ms: float, tags: dict[str, Any]) -> None:
    _emit("timing", stat, ms, tags)
