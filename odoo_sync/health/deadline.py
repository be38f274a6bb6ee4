"""The health DAG's Deadline Alert (Airflow 3's replacement for SLAs): a stalled monitor pages on-call."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from odoo_sync.health import alerts
from odoo_sync.health.settings import HealthSettings, load_settings

log = logging.getLogger(__name__)


def health_deadline(settings: HealthSettings) -> Any:
    """DeadlineAlert: the run must finish within ``run_budget`` of being queued, else mail on-call.

    Only the budget is fixed when the DAG is parsed. Who is paged and through which channels is read when the
    callback runs, on the triggerer: an on-call list set or changed there (docs/deploy.md) is the one used,
    not a copy frozen into the serialized DAG by the DAG processor.
    """
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference  # type: ignore[attr-defined]

    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=settings.run_budget,
        callback=AsyncCallback(notify_health_run_overdue),
    )


async def notify_health_run_overdue(context: dict[str, Any] | None = None, **_frozen: Any) -> str:
    """Run by the triggerer when a health run misses its deadline: one notice per missed run.

    ``_frozen`` takes the ``settings`` that DAGs serialized by release 0.1 still pass; they are ignored.
    """
    # The settings' file read and the notifiers' sync path in a thread: the triggerer's loop keeps serving.
    return await asyncio.to_thread(send_overdue_notice, load_settings(), context or {})


def send_overdue_notice(settings: HealthSettings, context: dict[str, Any]) -> str:
    """Mail (and notify) on-call that the health run in ``context`` is overdue; what was sent, for the log."""
    dag_run, deadline = context.get("dag_run") or {}, context.get("deadline") or {}
    mail = alerts.overdue_mail(
        str(dag_run.get("dag_id", "odoo_health")),
        str(dag_run.get("run_id", "?")),
        str(deadline.get("deadline_time", "?")),
        settings,
    )
    channels = alerts.deliver(mail, settings, "health_overdue")
    return f"sent through {', '.join(channels)}" if channels else "no channel configured"
