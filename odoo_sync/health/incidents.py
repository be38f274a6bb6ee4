"""What to do about a tenant's incident, given its evaluated health. Pure: ``now`` is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from odoo_sync.health.settings import HealthSettings
from odoo_sync.health.state import Health, State
from odoo_sync.store.incidents import Incident  # the health_incident row


@dataclass(frozen=True, slots=True)
class Decision:
    """The steps for one tenant in one health run; the store (``store.incidents``) carries each out at most once."""

    open: bool = False  # record a new incident (red, none open)
    alert: bool = False  # page on-call (red for alert_after, not yet paged)
    resolve: bool = False  # a good ping ended the incident (on-call hears of it if they were paged)

    @property
    def nothing(self) -> bool:
        return not (self.open or self.alert or self.resolve)


def decide(health: Health, incident: Incident | None, now: datetime, settings: HealthSettings) -> Decision:
    """Red opens an incident and, once red long enough, pages once; one good ping resolves it."""
    if health.state is State.RED:
        red_for = now - health.since if health.since else None
        due = red_for is not None and red_for >= settings.alert_after
        return Decision(open=incident is None, alert=due and (incident is None or incident.alerted_at is None))
    if incident is not None and health.last is not None and health.last.ok:
        return Decision(resolve=True)
    return Decision()
