"""How to change many analytic lines whose new values differ per line: the ways Odoo's external API offers,
timed on the Odoo a bench runs against (plain xmlrpc.client; records tagged, removed afterwards).

- ``create``: a batch of ``create`` (the yardstick: what creating the same lines costs);
- ``write per record``: one ``write`` call per line (what the writer does when no two lines share values);
- ``write shared values``: one ``write`` for a batch of lines getting the same values (a category move);
- ``write via parent``: one ``write`` on the lines' analytic account with one update command per line
  (``line_ids: [(1, id, vals), ...]``), which relies on the ORM for lines the relation does not list;
- ``load``: Odoo's import API updating by database id (``['.id', 'amount', 'name']``), all rows or none, per-row
  messages: what the writer uses when values differ per line (2,000 rows a call).
Ids stay stable in every way (unlink + create is not an option: Odoo ids are the records' identity).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from bench.odoo import RawOdoo, Target
from odoo_sync.odoo.models import ACCOUNT, LINE, PLAN


def measure(target: Target, batch: int = 2000, single: int = 200) -> dict[str, Any]:
    """Per-line milliseconds of each way, on ``batch`` lines (``single`` for one call per line)."""
    odoo = RawOdoo(target)
    odoo.login()
    tag = f"wm{uuid.uuid4().hex[:6]}"
    plan_id = odoo.call(PLAN, "search", [("parent_id", "=", False)], limit=1)[0]
    account = int(odoo.call(ACCOUNT, "create", {"name": tag, "code": tag, "plan_id": plan_id}))
    ids: list[int] = []
    try:
        vals = [{"name": f"{tag} {i}", "amount": -1.0 - i, "account_id": account} for i in range(batch)]
        started = time.perf_counter()
        ids = odoo.call(LINE, "create", vals)
        create_ms = (time.perf_counter() - started) * 1000 / batch
        started = time.perf_counter()
        for i, line_id in enumerate(ids[:single]):
            odoo.call(LINE, "write", [line_id], {"amount": -2.0 - i})
        per_record_ms = (time.perf_counter() - started) * 1000 / single
        started = time.perf_counter()
        odoo.call(LINE, "write", ids, {"name": f"{tag} shared"})
        shared_ms = (time.perf_counter() - started) * 1000 / batch
        commands = [(1, line_id, {"amount": -3.0 - i}) for i, line_id in enumerate(ids)]
        started = time.perf_counter()
        odoo.call(ACCOUNT, "write", [account], {"line_ids": commands})
        parent_ms = (time.perf_counter() - started) * 1000 / batch
        amounts = {r["id"]: r["amount"] for r in odoo.call(LINE, "read", ids, ["amount"])}
        parent_ok = all(amounts[line_id] == -3.0 - i for i, line_id in enumerate(ids))
        rows = [[str(line_id), -4.0 - i, f"{tag} load {i}"] for i, line_id in enumerate(ids)]
        started = time.perf_counter()
        answer = odoo.call(LINE, "load", [".id", "amount", "name"], rows)
        load_ms = (time.perf_counter() - started) * 1000 / batch
        amounts = {r["id"]: r["amount"] for r in odoo.call(LINE, "read", ids, ["amount"])}
        load_ok = bool(answer.get("ids")) and all(amounts[line_id] == -4.0 - i for i, line_id in enumerate(ids))
    finally:
        alive = odoo.call(LINE, "search", [("id", "in", ids)]) if ids else []
        if alive:
            odoo.call(LINE, "unlink", alive)
        odoo.call(ACCOUNT, "unlink", [account])
    return {
        "lines": batch,
        "create_ms_per_line": create_ms,
        "write_per_record_ms_per_line": per_record_ms,
        "write_shared_values_ms_per_line": shared_ms,
        "write_via_parent_ms_per_line": parent_ms,
        "write_via_parent_values_checked": parent_ok,
        "load_ms_per_line": load_ms,
        "load_values_checked": load_ok,
    }
