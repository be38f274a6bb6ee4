"""The health DAG's Deadline Alert (Airflow 3's replacement for SLAs): a stalled monitor pages on-call."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

from odoo_sync.health import alerts
from odoo_sync.health.settings import HealthSettings, settings_from

log = logging.getLogger(__name__)


def health_deadline(settings: HealthSettings) -> Any:
    """DeadlineAlert: the run must finish within ``run_budget`` of being queued, else mail on-call."""
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference  # type: ignore[attr-defined]

    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=settings.run_budget,
        callback=AsyncCallback(notify_health_run_overdue, kwargs={"settings": _as_kwargs(settings)}),
    )


async def notify_health_run_overdue(settings: dict[str, Any], context: dict[str, Any] | None = None) -> str:
    """Run by the triggerer when a health run misses its deadline: one notice per missed run."""
    config = settings_from(settings)
    dag_run, deadline = (context or {}).get("dag_run") or {}, (context or {}).get("deadline") or {}
    mail = alerts.overdue_mail(
        str(dag_run.get("dag_id", "odoo_health")),
        str(dag_run.get("run_id", "?")),
        str(deadline.get("deadline_time", "?")),
        config,
    )
    # The notifiers' sync path in a thread: the triggerer's event loop keeps serving other triggers.
    channels = await asyncio.to_thread(alerts.deliver, mail, config, "health_overdue")
    return f"sent through {', '.join(channels)}" if channels else "no channel configured"


def _as_kwargs(settings: HealthSettings) -> dict[str, Any]:
    """JSON-safe, for the serialized DAG."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(settings).items()}
