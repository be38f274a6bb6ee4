"""How to change many analytic lines whose new values differ per line: the ways Odoo's external API offers,
timed on the Odoo a bench runs against (plain xmlrpc.client; records tagged, removed afterwards).

- ``create``: a batch of ``create`` (the yardstick: what creating the same lines costs);
- ``write per record``: one ``write`` call per line (what the writer does when no two lines share values);
- ``write shared values``: one ``write`` for a batch of lines getting the same values (a category move);
- ``write via parent``: one ``write`` on the lines' analytic account with one update command per line
  (``line_ids: [(1, id, vals), ...]``), which relies on the ORM for lines the relation does not list;
- ``load``: Odoo's import API updating by database id (``['.id', 'amount', 'name']``), all rows or none, per-row
  messages (2,000 rows a call);
- ``web_save_multi`` (Odoo 19+): one call, each record written with its own values.
The writer takes, per server, the fastest of these that is correct (``OdooHook.per_record_method``).
Ids stay stable in every way (unlink + create is not an option: Odoo ids are the records' identity).
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from bench.odoo import RawOdoo, Target, real_odoo_configured, start
from odoo_sync.odoo.models import ACCOUNT, LINE


def measure(target: Target, batch: int = 2000, single: int = 200) -> dict[str, Any]:
    """Per-line milliseconds of each way, on ``batch`` lines of one project account (``single`` for one call
    per line); each way writes a new amount and description per line, read back and checked."""
    odoo = RawOdoo(target)
    odoo.login()
    tag = f"wm{uuid.uuid4().hex[:6]}"
    plan_id = int(odoo.call("ir.config_parameter", "get_param", "analytic.project_plan") or 0)
    account = int(odoo.call(ACCOUNT, "create", {"name": tag, "code": tag, "plan_id": plan_id}))
    version = odoo.version()
    major = int(str(version.get("server_version_info", [0])[0]))
    ids: list[int] = []
    out: dict[str, Any] = {"server": version.get("server_version"), "lines": batch}
    try:
        vals = [{"name": f"{tag} {i}", "amount": -1.0 - i, "account_id": account} for i in range(batch)]
        started = time.perf_counter()
        ids = odoo.call(LINE, "create", vals)
        out["create_ms_per_line"] = (time.perf_counter() - started) * 1000 / batch
        ways = _ways(odoo, account, ids, tag, single, major)
        for n, (name, (send, count, per_line)) in enumerate(ways.items()):
            amount = -10_000.0 * (n + 1)
            started = time.perf_counter()
            send(amount)
            out[f"{name}_ms_per_line"] = (time.perf_counter() - started) * 1000 / count
            amounts = {r["id"]: r["amount"] for r in odoo.call(LINE, "read", ids[:count], ["amount"])}
            wanted = [amount - i if per_line else amount for i in range(count)]
            out[f"{name}_checked"] = [amounts[line_id] for line_id in ids[:count]] == wanted
        for name in ways:
            out[f"{name}_over_create"] = round(out[f"{name}_ms_per_line"] / out["create_ms_per_line"], 2)
    finally:
        _remove(odoo, ids, [account])
    return out


Send = Callable[[float], Any]
Way = tuple[Send, int, bool]  # how to send, the lines it writes, whether each line gets its own values


def _ways(odoo: RawOdoo, account: int, ids: list[int], tag: str, single: int, major: int) -> dict[str, Way]:
    """Each way of writing ``amount - i`` to line i (or ``amount`` to all, for shared values)."""

    def per_record(amount: float) -> None:
        for i, line_id in enumerate(ids[:single]):
            odoo.call(LINE, "write", [line_id], {"amount": amount - i, "name": f"{tag} w {i}"})

    def through_account(amount: float) -> None:
        commands = [(1, line_id, {"amount": amount - i, "name": f"{tag} a {i}"}) for i, line_id in enumerate(ids)]
        odoo.call(ACCOUNT, "write", [account], {"line_ids": commands})

    def load(amount: float) -> None:
        rows = [[str(line_id), amount - i, f"{tag} l {i}"] for i, line_id in enumerate(ids)]
        answer = odoo.call(LINE, "load", [".id", "amount", "name"], rows)
        assert answer.get("ids"), answer.get("messages")

    def web_save_multi(amount: float) -> None:
        vals = [{"amount": amount - i, "name": f"{tag} m {i}"} for i in range(len(ids))]
        odoo.call(LINE, "web_save_multi", ids, vals, {})

    def shared(amount: float) -> None:
        odoo.call(LINE, "write", ids, {"amount": amount, "name": f"{tag} shared"})

    ways: dict[str, Way] = {
        "write_per_record": (per_record, single, True),
        "through_account": (through_account, len(ids), True),
        "load": (load, len(ids), True),
    }
    if major >= 19:
        ways["web_save_multi"] = (web_save_multi, len(ids), True)
    ways["write_shared_values"] = (shared, len(ids), False)
    return ways


def measure_spread(target: Target, lines: int = 3000, accounts: int = 1000) -> dict[str, Any]:
    """Per-line milliseconds of values per line for ``lines`` spread over ``accounts`` project accounts (a rate
    corrected across many projects): UPDATE commands through each line's own account (one call per account)
    against all of them through one account, 2,000 a call (the writer's way on 17 and 18), and ``load``. Every
    value and every line's account is read back and checked."""
    odoo = RawOdoo(target)
    odoo.login()
    tag = f"ws{uuid.uuid4().hex[:6]}"
    plan_id = int(odoo.call("ir.config_parameter", "get_param", "analytic.project_plan") or 0)
    account_vals = [{"name": f"{tag} {a}", "code": f"{tag}-{a}", "plan_id": plan_id} for a in range(accounts)]
    account_ids = list(odoo.call(ACCOUNT, "create", account_vals))
    out: dict[str, Any] = {"server": odoo.version().get("server_version"), "lines": lines, "accounts": accounts}
    ids: list[int] = []
    try:
        vals = [{"name": f"{tag} {i}", "amount": -1.0, "account_id": account_ids[i % accounts]} for i in range(lines)]
        for start_at in range(0, lines, 500):
            ids += odoo.call(LINE, "create", vals[start_at : start_at + 500])
        account_of = dict(zip(ids, (v["account_id"] for v in vals), strict=True))
        for n, (name, send) in enumerate(_spread_ways(odoo, ids, account_of).items()):
            amount = -10_000.0 * (n + 1)
            started = time.perf_counter()
            calls = send(amount)
            out[f"{name}_ms_per_line"] = (time.perf_counter() - started) * 1000 / lines
            out[f"{name}_calls"] = calls
            rows = {r["id"]: r for r in odoo.call(LINE, "read", ids, ["amount", "account_id"])}
            out[f"{name}_checked"] = all(
                rows[line_id]["amount"] == amount - i and rows[line_id]["account_id"][0] == account_of[line_id]
                for i, line_id in enumerate(ids)
            )
    finally:
        _remove(odoo, ids, account_ids)
    return out


def _remove(odoo: RawOdoo, line_ids: list[int], account_ids: list[int]) -> None:
    """What a measurement created: its lines still there, then its accounts."""
    alive = odoo.call(LINE, "search", [("id", "in", line_ids)]) if line_ids else []
    if alive:
        odoo.call(LINE, "unlink", alive)
    odoo.call(ACCOUNT, "unlink", account_ids)


def _spread_ways(odoo: RawOdoo, ids: list[int], account_of: dict[int, int]) -> dict[str, Callable[[float], int]]:
    """Each way of writing ``amount - i`` to line i; each returns the calls it made."""

    def each_account(amount: float) -> int:
        commands: dict[int, list[Any]] = {}
        for i, line_id in enumerate(ids):
            commands.setdefault(account_of[line_id], []).append((1, line_id, {"amount": amount - i}))
        for account, its_commands in commands.items():
            odoo.call(ACCOUNT, "write", [account], {"line_ids": its_commands})
        return len(commands)

    def one_account(amount: float) -> int:
        commands = [(1, line_id, {"amount": amount - i}) for i, line_id in enumerate(ids)]
        for start_at in range(0, len(commands), 2000):
            carrier = account_of[commands[start_at][1]]
            odoo.call(ACCOUNT, "write", [carrier], {"line_ids": commands[start_at : start_at + 2000]})
        return -(-len(commands) // 2000)

    def load(amount: float) -> int:
        rows = [[str(line_id), amount - i] for i, line_id in enumerate(ids)]
        for start_at in range(0, len(rows), 2000):
            answer = odoo.call(LINE, "load", [".id", "amount"], rows[start_at : start_at + 2000])
            assert answer.get("ids"), answer.get("messages")
        return -(-len(rows) // 2000)

    return {"through_each_account": each_account, "through_one_account": one_account, "load": load}


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.write_methods [--spread ACCOUNTS --lines N]``: the ways on the Odoo named by ODOO_TEST_*
    (or the test server); with ``--spread``, lines spread over that many accounts."""
    parser = argparse.ArgumentParser(prog="python -m bench.write_methods", description=__doc__)
    parser.add_argument("--spread", type=int, help="spread the lines over this many project accounts")
    parser.add_argument("--lines", type=int, default=3000, help="lines, with --spread (default 3000)")
    args = parser.parse_args(argv)
    target = start("real" if real_odoo_configured() else "fake")
    try:
        figures = measure_spread(target, args.lines, args.spread) if args.spread else measure(target)
        print(json.dumps(figures, indent=2))
    finally:
        target.stop()


if __name__ == "__main__":
    main()
