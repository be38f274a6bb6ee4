"""The entities the sync mirrors, as data: what each becomes in Odoo and how it is found again.

Every entity goes through the same pipeline (read, plan, apply); this table is what differs between them.
"""

from __future__ import annotations

from dataclasses import dataclass

ACCOUNT = "account.analytic.account"
PROJECT = "project.project"
LINE = "account.analytic.line"
ANY_ACTIVE = ("active", "in", [True, False])


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """One source entity and its Odoo model.

    ``marker_field`` holds what the sync wrote and can search for after a crash (an account's ``code``, a
    project's analytic account, a line's ``ref``); ``marker_is_key`` says the marker is the create key itself.
    ``plan_role`` names the plan an account entity fills. ``removal`` is how a record leaves finance's view when
    its source row is voided or deleted: ``unlink`` (lines) or ``archive`` (accounts and projects, which
    finance may have used elsewhere). ``parent`` is the entity whose accounts the values carry.
    """

    entity_type: str
    model: str
    source: str
    marker_field: str
    plan_role: str | None = None
    marker_is_key: bool = False
    removal: str = "archive"
    parent: str | None = None
    batched: bool = False  # streamed in chunks through a durable cursor (large), or read whole every run


PROJECT_ACCOUNT = EntitySpec("project_account", ACCOUNT, "projects", "code", plan_role="project")
PROJECT_RECORD = EntitySpec("project", PROJECT, "projects", "", parent="project_account")  # marker: link field
CATEGORY = EntitySpec("category", ACCOUNT, "budget_categories", "code", plan_role="category")
BUDGET_LINE = EntitySpec("budget_line", ACCOUNT, "budget_lines", "code", plan_role="budget_line", parent="category")
SPENDING_LINE = EntitySpec(
    "line", LINE, "spending_lines", "ref", marker_is_key=True, removal="unlink", parent="budget_line", batched=True
)

SPECS = {s.entity_type: s for s in (PROJECT_ACCOUNT, PROJECT_RECORD, CATEGORY, BUDGET_LINE, SPENDING_LINE)}
