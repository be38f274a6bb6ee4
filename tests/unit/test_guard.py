from __future__ import annotations

import pytest

from odoo_sync.odoo.guard import FINANCE_MODELS, WRITABLE_MODELS, WriteRefused, check_call


@pytest.mark.parametrize("model", [*FINANCE_MODELS, "account.analytic.plan", "res.company"])
@pytest.mark.parametrize("method", ["create", "write", "unlink", "load"])
def test_mutations_outside_the_three_models_are_refused_and_name_finance(model: str, method: str) -> None:
    with pytest.raises(WriteRefused) as err:
        check_call(model, method)
    for finance_model in FINANCE_MODELS:
        assert finance_model in str(err.value)


@pytest.mark.parametrize("model", ["Res.Partner", " account.analytic.line", "account.analytic.line ", "ACCOUNT.MOVE"])
def test_case_and_whitespace_tricks_do_not_widen_the_allowed_set(model: str) -> None:
    with pytest.raises(WriteRefused):
        check_call(model, "create")


@pytest.mark.parametrize("method", ["copy", "name_create", "import", "action_post", "toggle_active", "_write"])
def test_other_writing_methods_are_refused_even_on_allowed_models(method: str) -> None:
    with pytest.raises(WriteRefused, match=method):
        check_call("account.analytic.line", method)


@pytest.mark.parametrize("model", sorted(WRITABLE_MODELS))
def test_the_three_models_accept_create_write_unlink_load(model: str) -> None:
    for method in ("create", "write", "unlink", "load"):
        check_call(model, method)


def test_reads_are_allowed_on_any_model() -> None:
    check_call("res.partner", "search_read")
    check_call("account.move", "read_group")


def test_plans_can_be_created_only_by_the_explicit_setup_step() -> None:
    with pytest.raises(WriteRefused):
        check_call("account.analytic.plan", "create")
    check_call("account.analytic.plan", "create", setup=True)
    with pytest.raises(WriteRefused):
        check_call("account.analytic.plan", "write", setup=True)
    with pytest.raises(WriteRefused):
        check_call("res.partner", "create", setup=True)


# -- relational values (issue 20: an account's lines written by UPDATE commands, nothing else) ---------------
def test_update_commands_on_an_accounts_lines_pass() -> None:
    check_call("account.analytic.account", "write", [[7], {"line_ids": [(1, 41, {"amount": -2.5}), [1, 42, {}]]}])


@pytest.mark.parametrize(
    "command",
    [
        (0, 0, {"name": "new line"}),  # create
        (2, 41, 0),  # delete
        (3, 41, 0),  # unlink from the account
        (4, 41, 0),  # link
        (5, 0, 0),  # unlink all
        (6, 0, [41]),  # replace
        (1, 41, {"account_id": [(0, 0, {"name": "x"})]}),  # a command hidden inside the update
        (1, 41),
    ],
)
def test_any_other_command_on_an_accounts_lines_is_refused(command: tuple[object, ...]) -> None:
    with pytest.raises(WriteRefused, match="line_ids"):
        check_call("account.analytic.account", "write", [[7], {"line_ids": [(1, 40, {}), command]}])


@pytest.mark.parametrize(
    ("model", "method", "args"),
    [
        ("project.project", "write", [[3], {"tag_ids": [(0, 0, {"name": "finance"})]}]),
        ("project.project", "create", [[{"name": "p", "favorite_user_ids": [(6, 0, [2])]}]]),
        ("account.analytic.line", "create", [{"name": "l", "move_line_id": [(0, 0, {})]}]),
        ("account.analytic.line", "web_save_multi", [[5], [{"name": "l", "tag_ids": [(4, 9)]}], {}]),
        ("account.analytic.account", "create", [[{"name": "a", "line_ids": [(1, 4, {"amount": 1.0})]}]]),
    ],
)
def test_relational_values_anywhere_else_are_refused(model: str, method: str, args: list[object]) -> None:
    with pytest.raises(WriteRefused, match=r"relational values are refused|only UPDATE"):
        check_call(model, method, args)
