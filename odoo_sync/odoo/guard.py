"""The write guard: the integration may mutate three Odoo models and nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from odoo_sync.odoo.models import ACCOUNT, FINANCE_MODELS, LINE, PLAN, PROJECT

WRITABLE_MODELS = frozenset({PROJECT, ACCOUNT, LINE})
# Creating a missing analytic plan is an opt-in setup step (tenant config ``create_plans: true``).
SETUP_CREATABLE = frozenset({PLAN})
# ``load`` (the import API) and ``web_save_multi`` (Odoo 19+) write values that differ per record in one call.
MUTATING_METHODS = frozenset({"create", "write", "unlink", "load", "web_save_multi"})
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


# The one relational field written with commands: an account's analytic lines, UPDATE commands only (values
# that differ per line in one call; fields.One2many writes each line by id). Any other x2many value could
# create or link records elsewhere and is refused.
UPDATE_COMMANDS = {(ACCOUNT, "line_ids"): LINE}
UPDATE = 1  # Odoo's Command.UPDATE


class WriteRefused(PermissionError):
    """A call the guard does not allow; raised before anything is sent."""


def check_call(model: str, method: str, args: Sequence[Any] = (), *, setup: bool = False) -> None:
    """Raise WriteRefused unless ``method`` on ``model`` is a read, or a create/write/unlink/load we own whose
    values (``args``) name no relation but an account's lines, by UPDATE commands."""
    _check_model(model, method, setup=setup)
    for vals in _values(method, args):
        for name, value in vals.items():
            if isinstance(value, (list, tuple)):
                _check_commands(model, method, name, value)


def _check_model(model: str, method: str, *, setup: bool) -> None:
    if method in READ_METHODS:
        return
    if setup and method == "create" and model in SETUP_CREATABLE:
        return
    if method not in MUTATING_METHODS:
        raise WriteRefused(
            f"method {method!r} on {model!r} is refused: the integration only reads, or uses "
            f"create/write/unlink/load/web_save_multi on {', '.join(sorted(WRITABLE_MODELS))}"
        )
    # Exact match on purpose: no case folding or trimming can widen the allowed set.
    if model not in WRITABLE_MODELS:
        raise WriteRefused(
            f"{method} on {model!r} is refused: the integration writes only "
            f"{', '.join(sorted(WRITABLE_MODELS))}; {', '.join(FINANCE_MODELS)} and the chart of "
            f"accounts are finance's territory and are never written"
        )


def _values(method: str, args: Sequence[Any]) -> list[dict[str, Any]]:
    """The value dicts a create or write sends."""
    if method == "create" and args:
        return [v for v in (args[0] if isinstance(args[0], list) else [args[0]]) if isinstance(v, dict)]
    if method == "write" and len(args) > 1 and isinstance(args[1], dict):
        return [args[1]]
    if method == "web_save_multi" and len(args) > 1 and isinstance(args[1], list):
        return [v for v in args[1] if isinstance(v, dict)]
    return []


def _check_commands(model: str, method: str, name: str, commands: Sequence[Any]) -> None:
    target = UPDATE_COMMANDS.get((model, name)) if method == "write" else None
    if target is None:
        raise WriteRefused(
            f"{model}.{name}: relational values are refused (they could create or link records the integration "
            "does not own)"
        )
    for command in commands:
        if not (isinstance(command, (list, tuple)) and len(command) == 3 and command[0] == UPDATE):
            raise WriteRefused(f"{model}.{name}: only UPDATE commands (1, id, values) on {target} are allowed")
        if not isinstance(command[2], dict) or any(isinstance(v, (list, tuple, dict)) for v in command[2].values()):
            raise WriteRefused(f"{model}.{name}: an UPDATE of {target} {command[1]} may carry plain values only")
