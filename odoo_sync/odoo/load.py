"""Odoo's import API (``load``) as the sync uses it: the rows of a request, and what its answer says of each row.

``load`` answers errors as data: ``{'ids': [...] | False, 'messages': [...], 'nextrow': 0}``. Read from Odoo
17's ``BaseModel.load`` (odoo/models.py): any message of type ``error`` rolls the whole call back (``ids`` False);
a row whose write raised a database warning is skipped with a ``warning`` message while the others are written
(``ids`` lacks it); and an error of the whole batch (a ``UserError`` raised by the batch write, a broken
transaction's "Unknown database error") is pinned on the batch's first row, whichever row caused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BATCH = -1  # the index of an error Odoo did not pin on a row of its own: the whole call, some row unknown
NOT_WRITTEN = "Odoo's load answered without this row's id: not written"


def request(
    ids: Sequence[int], vals_list: Sequence[dict[str, Any]], relations: set[str]
) -> tuple[list[str], list[Any]]:
    """``load``'s columns and rows updating ``ids`` by database id; many2one ``relations`` go by id too."""
    names = list(vals_list[0])
    columns = [".id", *(f"{n}/.id" if n in relations else n for n in names)]
    rows = [[str(i), *(_value(v[n], n in relations) for n in names)] for i, v in zip(ids, vals_list, strict=True)]
    return columns, rows


def _value(value: Any, relation: bool) -> Any:
    """A value as Odoo's import converters take it: a related id as text, empty as '' (False), True as '1'."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    return str(value) if relation else value


def refused_rows(answer: Any, rows: int) -> dict[int, str]:
    """An answer's refusal: {} when written, else row index (or BATCH) -> Odoo's reasons; nothing was written.

    A message on the first row that names no field is the batch's as much as that row's, so in a call of
    several rows it counts as BATCH: the writer isolates the row instead of blaming row 0.
    """
    if not isinstance(answer, dict) or answer.get("ids") is not False:
        return {}
    refused: dict[int, list[str]] = {}
    for message in answer.get("messages") or []:
        if message.get("type") == "error":
            refused.setdefault(_row_of(message, rows), []).append(str(message.get("message", "")))
    return {i: "; ".join(reasons) for i, reasons in refused.items()} or {BATCH: "refused without a reason"}


def _row_of(message: dict[str, Any], rows: int) -> int:
    row = message.get("record")
    if not isinstance(row, int) or isinstance(row, bool) or not 0 <= row < rows:
        return BATCH
    if row == 0 and rows > 1 and not message.get("field"):
        return BATCH
    return row


def unwritten_rows(answer: Any, ids: Sequence[int]) -> dict[int, str]:
    """Rows of an accepted answer that Odoo did not write: index -> why (its warning, else NOT_WRITTEN).

    Every row updates a known id, so a written row's id is in ``ids`` of the answer; a row whose id is not
    there was skipped, whatever the count says.
    """
    written = answer.get("ids") if isinstance(answer, dict) else None
    if not isinstance(written, list):
        return dict.fromkeys(range(len(ids)), f"{NOT_WRITTEN} (answer: {type(answer).__name__})")
    warnings: dict[int, list[str]] = {}
    for message in answer.get("messages") or []:
        row = message.get("record")
        if message.get("type") == "warning" and isinstance(row, int) and 0 <= row < len(ids):
            warnings.setdefault(row, []).append(str(message.get("message", "")))
    present = {int(i) for i in written if isinstance(i, int) and not isinstance(i, bool)}
    return {
        index: "; ".join(warnings.get(index, [])) or NOT_WRITTEN
        for index, odoo_id in enumerate(ids)
        if odoo_id not in present
    }
