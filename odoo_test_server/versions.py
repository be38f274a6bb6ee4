"""What differs between the Odoo versions the fake serves (16 to 19), as data: where each version's recorded
facts live, the wording of errors that changed, and a few switches. Recorded from real 17.0, 18.0 and 19.0
servers (``recorded/``, ``recorded/18/``, ``recorded/19/``); 16 is served as 17 without plan columns."""

from __future__ import annotations

from pathlib import Path

RECORDED_DIR = Path(__file__).resolve().parent / "recorded"
VERSIONS = (16, 17, 18, 19)

# Error texts that changed, as (first version, template); the newest entry not after the version applies.
TEXTS: dict[str, tuple[tuple[int, str], ...]] = {
    "private_method": (
        (16, "Private methods (such as {method}) cannot be called remotely."),
        (18, "Private methods (such as '{model}.{method}') cannot be called remotely."),
    ),
    "no_method": (
        (16, "The method '{method}' does not exist on the model '{model}'"),
        (18, "The method '{model}.{method}' does not exist"),
    ),
    "invalid_field_write": (
        (16, "Invalid field {field!r} on model {model!r}"),
        (19, "Invalid field {field!r} in {model!r}"),
    ),
    "invalid_field_read": (
        (16, "Invalid field {field!r} on model {model!r}"),
        (19, "Invalid field {field!r} on {model!r}"),
    ),
    "invalid_leaf": (
        (16, "Invalid field {model}.{field} in leaf {leaf!r}"),
        (19, "Invalid field {model}.{field} in condition {leaf!r}"),
    ),
    "not_null": (
        (
            16,
            "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
            "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
            "Model: {model_label} ({model})\nField: {field_label} ({field})\n",
        ),
        (
            19,
            "The operation cannot be completed: Missing required value for the field '{field_label}' ({field}).\n"
            "Model: '{model_label}' ({model})\n- create/update: a mandatory field is not set\n"
            "- delete: another model requires the record being deleted, you can archive it instead\n",
        ),
    ),
    "fk": (
        (
            16,
            "The operation cannot be completed: another model requires the record being deleted. "
            "If possible, archive it instead.\n\nModel: {model_label} ({model})\nConstraint: {table}_{field}_fkey\n",
        ),
        (
            19,
            "The operation cannot be completed: Another model is using the record you are trying to delete.\n\n"
            "The troublemaker is: '{model_label}' ({model})\nThanks to the following constraint: "
            "'{field_label}' ({field})\nHow about archiving the record instead?",
        ),
    ),
}


def text(version: int, key: str, **values: object) -> str:
    """The error text ``key`` as Odoo ``version`` words it."""
    template = [tmpl for since, tmpl in TEXTS[key] if since <= version][-1]
    return template.format(**values)


def recorded_dir(version: int) -> Path:
    """Where the facts recorded from that version live (17's at the top, used for 16 as well)."""
    return RECORDED_DIR / str(version) if version >= 18 else RECORDED_DIR


def groups_field(version: int) -> str:
    """res.users' groups: ``group_ids`` from 19 (``groups_id`` before)."""
    return "group_ids" if version >= 19 else "groups_id"


def project_field(version: int) -> str:
    """project.project's link to its project-plan account: ``account_id`` from 18."""
    return "account_id" if version >= 18 else "analytic_account_id"


def plan_column_domain(version: int, model: str, plan_id: int) -> str:
    """A plan column's domain: from 18, on projects, limited to the record's company too."""
    if version >= 18 and model == "project.project":
        company = "'|', ('company_id', '=', False), ('company_id', '=?', company_id)"
        return f"['&', ('plan_id', 'child_of', {plan_id}), {company}]"
    return f"[('plan_id', 'child_of', {plan_id})]"
