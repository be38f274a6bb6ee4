"""The entities the sync mirrors, as data: what each becomes in Odoo and how it is found again.

Every entity goes through the same pipeline (read, plan, apply); this table is what differs between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from odoo_sync.odoo.models import ACCOUNT, LINE, PROJECT

ANY_ACTIVE = ("active", "in", [True, False])


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """One source entity and its Odoo model.

    ``marker_field`` holds what the sync wrote and can search for after a crash (an account's ``code``, a
    project's analytic account, a line's ``ref``); ``marker_is_key`` says the marker is the create key itself.
    ``plan_role`` names the plan an account entity fills. ``parent`` is the entity whose accounts the values
    carry. (A voided or deleted source row's line is unlinked, sync/lines.py; an account or project is archived,
    sync/reference.py, as finance may have used it elsewhere.)
    """

    entity_type: str
    model: str
    source: str
    marker_field: str
    plan_role: str | None = None
    marker_is_key: bool = False
    parent: str | None = None


PROJECT_ACCOUNT = EntitySpec("project_account", ACCOUNT, "projects", "code", plan_role="project")
PROJECT_RECORD = EntitySpec("project", PROJECT, "projects", "", parent="project_account")  # marker: link field
CATEGORY = EntitySpec("category", ACCOUNT, "budget_categories", "code", plan_role="category")
BUDGET_LINE = EntitySpec("budget_line", ACCOUNT, "budget_lines", "code", plan_role="budget_line", parent="category")
SPENDING_LINE = EntitySpec("line", LINE, "spending_lines", "ref", marker_is_key=True, parent="budget_line")

SPECS = {s.entity_type: s for s in (PROJECT_ACCOUNT, PROJECT_RECORD, CATEGORY, BUDGET_LINE, SPENDING_LINE)}
