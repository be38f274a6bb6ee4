"""The write guard: the integration may mutate three Odoo models and nothing else."""

from __future__ import annotations

from odoo_sync.odoo.models import ACCOUNT, FINANCE_MODELS, LINE, PLAN, PROJECT

WRITABLE_MODELS = frozenset({PROJECT, ACCOUNT, LINE})
# Creating a missing analytic plan is an opt-in setup step (tenant config ``create_plans: true``).
SETUP_CREATABLE = frozenset({PLAN})
# ``load`` (the import API) updates many records by database id in one call.
MUTATING_METHODS = frozenset({"create", "write", "unlink", "load"})
# Every other method is refused everywhere: copy, name_create, import, action_* all write.
READ_METHODS = frozenset(
    {
        "search",
        "search_read",
        "search_count",
        "read",
        "read_group",
        "formatted_read_group",  # Odoo 19's read_group (the drift check's per-plan totals)
        "fields_get",
        "check_access_rights",
        "name_search",
        "get_param",
        "default_get",
    }
)


class WriteRefused(PermissionError):
    """A call the guard does not allow; raised before anything is sent."""


def check_call(model: str, method: str, *, setup: bool = False) -> None:
    """Raise WriteRefused unless ``method`` on ``model`` is a read, or a create/write/unlink/load we own."""
    if method in READ_METHODS:
        return
    if setup and method == "create" and model in SETUP_CREATABLE:
        return
    if method not in MUTATING_METHODS:
        raise WriteRefused(
            f"method {method!r} on {model!r} is refused: the integration only reads, or uses "
            f"create/write/unlink/load on {', '.join(sorted(WRITABLE_MODELS))}"
        )
    # Exact match on purpose: no case folding or trimming can widen the allowed set.
    if model not in WRITABLE_MODELS:
        raise WriteRefused(
            f"{method} on {model!r} is refused: the integration writes only "
            f"{', '.join(sorted(WRITABLE_MODELS))}; {', '.join(FINANCE_MODELS)} and the chart of "
            f"accounts are finance's territory and are never written"
        )
