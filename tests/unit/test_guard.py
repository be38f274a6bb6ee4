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
