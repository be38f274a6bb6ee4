"""Health settings: thresholds, on-call addresses, mail; env vars over a `health:` section, with defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from odoo_sync import paths

ENV_PREFIX = "ODOO_SYNC_HEALTH_"
NOTIFIER_KINDS = ("smtp", "webhook", "slack", "class")  # see odoo_sync.health.notify


@dataclass(frozen=True, slots=True)
class HealthSettings:
    """Everything the health DAG, the state machine and the alerts are tuned by.

    Durations are in minutes in the environment and the YAML (``red_after_minutes: 5``).
    """

    slow_ms: float = 2000.0  # a successful ping slower than this is amber
    red_after_minutes: float = 5.0  # failing at least this long (and red_after_failures pings) is red
    red_after_failures: int = 2  # so one failed ping never flaps a tenant to red
    alert_after_minutes: float = 15.0  # red (counted from the first failed ping) this long pages on-call
    stale_after_minutes: float = 20.0  # no ping for this long: amber (the monitor itself is behind)
    key_expiry_warn_days: int = 14  # connection extra api_key_expires this close: amber
    ping_timeout_s: float = 10.0  # socket timeout of each of the ping's calls
    concurrency: int = 64  # pings in flight at once
    run_budget_minutes: float = 4.0  # Deadline Alert: a health run not done by then pages on-call
    ping_retention_days: int = 35  # older pings are deleted (the state looks back 30 days at most)
    sync_stale_after_schedules: float = 3.0  # no successful sync for this many schedule intervals: amber
    sync_red_after_schedules: float = 6.0  # ... for this many: red, and paged like an unreachable Odoo
    drift_alert_after_hours: float = 20.0  # drift found by checks this far apart pages on-call (daily: the 2nd)
    on_call: tuple[str, ...] = ()
    notifiers: tuple[str, ...] = ("smtp",)  # channels: smtp, webhook:<conn_id>, slack:<conn_id>, class:<path>
    from_email: str = "odoo-sync@localhost"
    smtp_conn_id: str = "smtp_default"
    runbook_url: str = "http://localhost:8080/odoo-health/runbook"
    dashboard_url: str = "http://localhost:8080/plugin/odoo-health"

    @property
    def red_after(self) -> timedelta:
        return timedelta(minutes=self.red_after_minutes)

    @property
    def alert_after(self) -> timedelta:
        return timedelta(minutes=self.alert_after_minutes)

    @property
    def drift_alert_after(self) -> timedelta:
        return timedelta(hours=self.drift_alert_after_hours)

    @property
    def stale_after(self) -> timedelta:
        return timedelta(minutes=self.stale_after_minutes)

    @property
    def run_budget(self) -> timedelta:
        return timedelta(minutes=self.run_budget_minutes)


def load_settings(env: Mapping[str, str] | None = None, path: Path | None = None) -> HealthSettings:
    """Defaults, then the tenants file's optional `health:` section, then ODOO_SYNC_HEALTH_* variables."""
    env = os.environ if env is None else env
    values: dict[str, Any] = dict(_yaml_section(path or paths.tenants_file()))
    for f in fields(HealthSettings):
        raw = env.get(ENV_PREFIX + f.name.upper())
        if raw is not None and raw.strip() != "":
            values[f.name] = raw
    unknown = sorted(set(values) - _NAMES)
    if unknown:
        raise ValueError(f"unknown health setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_NAMES))}")
    settings = HealthSettings(**{name: _coerce(name, value) for name, value in values.items()})
    bad = [n for n in settings.notifiers if n.partition(":")[0] not in NOTIFIER_KINDS]
    if bad:
        kinds = ", ".join(NOTIFIER_KINDS)
        raise ValueError(f"unknown notifier(s) {', '.join(bad)}; use {kinds} (e.g. webhook:<conn_id>)")
    return settings


_NAMES = {f.name for f in fields(HealthSettings)}
_DEFAULTS = HealthSettings()


def _coerce(name: str, value: Any) -> Any:
    default = getattr(_DEFAULTS, name)
    if isinstance(default, tuple):
        items = value.split(",") if isinstance(value, str) else list(value or [])
        return tuple(str(i).strip() for i in items if str(i).strip())
    if isinstance(default, bool):
        return str(value).strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return str(value)


def _yaml_section(path: Path) -> Mapping[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError):
        return {}  # the tenants file's own errors are reported by the config-check DAG
    section = raw.get("health") if isinstance(raw, dict) else None
    return section if isinstance(section, dict) else {}
