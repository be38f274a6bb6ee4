"""What ``load``'s answers say of each row, read by the hook: the answers are shaped as Odoo 17's
``BaseModel.load`` builds them (odoo/models.py; no real one of these failures is recorded in shared/odoo17)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from odoo_sync.errors import OdooRowsRefused
from odoo_sync.odoo.client import OdooEndpoint
from odoo_sync.odoo.hook import OdooHook
from odoo_sync.odoo.transport import CallStats

LINE = "account.analytic.line"
IDS = [11, 12, 13]
DB_ERROR = "Unknown database error: 'current transaction is aborted, commands ignored until end of transaction block'"
BUDGET = "The budget of this line is closed."


def info(row: int) -> dict[str, Any]:
    return {"rows": {"from": row, "to": row}, "record": row}


class Answering:
    """A wire client (the hook's seam) answering ``load`` with one recorded answer."""

    api_name = "XML-RPC"
    last_stats = CallStats(200, 120, 3.0)

    def __init__(self, endpoint: OdooEndpoint, answer: Any) -> None:
        self.endpoint, self.answer = endpoint, answer

    def version(self) -> dict[str, Any]:
        return {"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""]}

    def authenticate(self) -> int:
        return 2

    def execute_kw(self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any], **_: Any) -> Any:
        if method == "fields_get":
            return {"amount": {"type": "float"}, "name": {"type": "char"}}
        assert (model, method, [row[0] for row in args[1]]) == (LINE, "load", [str(i) for i in IDS])
        return self.answer


def load(monkeypatch: pytest.MonkeyPatch, answer: Any) -> dict[int, str]:
    conn = {"conn_type": "odoo", "host": "http://odoo.invalid", "schema": "acme", "login": "a", "password": "p"}
    monkeypatch.setenv("AIRFLOW_CONN_ODOO_ANSWERS", json.dumps(conn))
    hook = OdooHook("odoo_answers", tenant_id="acme", client_factory=lambda endpoint, api: Answering(endpoint, answer))
    return hook.load_rows(LINE, IDS, [{"amount": -float(i), "name": f"line {i}"} for i in IDS], [])


def refused(monkeypatch: pytest.MonkeyPatch, answer: Any) -> dict[int, str]:
    with pytest.raises(OdooRowsRefused) as caught:
        load(monkeypatch, answer)
    return caught.value.rows


def test_every_row_written(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load(monkeypatch, {"ids": IDS, "messages": [], "nextrow": 0}) == {}


def test_a_row_skipped_with_a_warning_is_that_rows_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # a database warning in load's row-by-row pass: the row is not written, the others are, ids lacks it
    warning = {**info(1), "type": "warning", "message": "value truncated"}
    answer = {"ids": [11, 13], "messages": [warning], "nextrow": 0}
    assert load(monkeypatch, answer) == {1: "value truncated"}  # before: None, the row counted as written


def test_ids_short_of_the_rows_sent_leave_the_missing_rows_unwritten(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = {"ids": [12], "messages": [], "nextrow": 0}
    skipped = load(monkeypatch, answer)
    assert sorted(skipped) == [0, 2] and "not written" in skipped[0]


def test_an_answer_that_is_not_loads_leaves_every_row_unwritten(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sorted(load(monkeypatch, True)) == [0, 1, 2]


def test_a_database_error_pinned_on_the_first_row_blames_no_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # psycopg2.InternalError on the batch: load pins "Unknown database error" on data_list[0]
    answer = {"ids": False, "messages": [{**info(0), "type": "error", "message": DB_ERROR}], "nextrow": 0}
    assert refused(monkeypatch, answer) == {-1: DB_ERROR}  # before: {0: ...}, row 0 marked in error


def test_a_batch_user_error_pinned_on_the_first_row_blames_only_the_row_odoo_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a UserError of the batch write: load retries row by row and puts the batch's message first, on row 0
    messages = [{**info(0), "type": "error", "message": BUDGET}, {**info(2), "type": "error", "message": BUDGET}]
    assert refused(monkeypatch, {"ids": False, "messages": messages, "nextrow": 0}) == {-1: BUDGET, 2: BUDGET}


def test_a_conversion_error_on_the_first_row_is_that_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    message = "'abc' does not seem to be a number for field 'Amount'"
    error = {**info(0), "type": "error", "field": "amount", "message": message}
    assert refused(monkeypatch, {"ids": False, "messages": [error], "nextrow": 0}) == {0: message}
