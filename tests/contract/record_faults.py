"""Record a real Odoo's answer to every contract fault case, in the shape of ``recorded/faults.json``.

    python -m tests.contract.record_faults http://127.0.0.1:8070 odoo18 admin admin > recorded/18/faults.json

The same calls as ``test_faults.CASES`` (plus the envelope cases of ``test_common``); records it creates are
removed afterwards. A fault 1 keeps only the traceback's last line, as the Odoo 17 recording does.
"""

from __future__ import annotations

import json
import sys
import xmlrpc.client
from collections.abc import Callable
from typing import Any

from tests.contract.conftest import LINE, PLAN, OdooTarget, last_line
from tests.contract.test_faults import CASES

CTYPE = "text/xml; charset=utf-8"


def _envelope(o: OdooTarget) -> dict[str, Callable[[OdooTarget], Any]]:
    bad_db = "no_such_db"
    return {
        "version": lambda o: o.common.version(),
        "authenticate ok": lambda o: o.common.authenticate(o.db, o.login, o.password, {}),
        "authenticate wrong pw": lambda o: o.common.authenticate(o.db, o.login, "wrong-password", {}),
        "authenticate wrong db": lambda o: o.common.authenticate(bad_db, o.login, o.password, {}),
        "login (legacy) wrong pw": lambda o: o.common.login(o.db, o.login, "wrong-password"),
        "execute_kw wrong db": lambda o: o.proxy("object").execute_kw(bad_db, o.uid, o.password, LINE, "search", [[]]),
        "unknown service": lambda o: o.proxy("nosuch").version(),
        "unknown method on object svc": lambda o: o.proxy("object").nosuch(),
        "read non-existent id": lambda o: o.call(LINE, "read", [999999], ["name"]),
        "browse exists via search": lambda o: o.call(PLAN, "search", [("id", "=", o.project_plan())]),
        "check_access_rights": lambda o: o.call("res.users", "check_access_rights", "read"),
    }


def record(o: OdooTarget, label: str, case: Callable[[OdooTarget], Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": label, "http": 200, "ctype": CTYPE}
    try:
        return {**entry, "kind": "result", "res": case(o)}
    except xmlrpc.client.Fault as fault:
        text = fault.faultString
        if text.startswith("Traceback (most recent call last):"):
            text = f"TRACEBACK...last line: {last_line(text)}"
        return {**entry, "kind": "fault", "res": {"faultCode": fault.faultCode, "faultString": text}}


def main(argv: list[str]) -> int:
    url, db, login, password = argv
    target = OdooTarget(url, db, login, password, None)
    entries = []
    try:
        for label, case in {**_envelope(target), **CASES}.items():
            entries.append(record(target, label, case))
    finally:
        target.cleanup()
    json.dump(entries, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
