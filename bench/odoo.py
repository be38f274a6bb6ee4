"""The Odoo a benchmark talks to: the loopback test server, the same with Odoo 17's measured costs, or a real one.

Profiles:
- ``fake``: odoo_test_server as is; answers in microseconds (plus its own Python work).
- ``odoo17-model``: the same server, but each call lasts at least what timings.json measured on a real Odoo 17
  (``cost_ms`` below); the fake's own work counts towards that time, it is not added to it.
- ``real``: the server named by ODOO_TEST_URL / _DB / _USER / _PASSWORD.
"""

from __future__ import annotations

import json
import os
import threading
import time
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from odoo_sync.odoo.models import ACCOUNT
from odoo_test_server import RECORDED_DIR, FakeOdoo

TIMINGS = json.loads((RECORDED_DIR / "timings.json").read_text())
MUTATIONS = ("create", "write", "unlink", "load", "web_save_multi")
# load (update by database id), per row: measured on the Odoo 17 lab with bench/write_methods.py, 2,000 rows a call.
LOAD_ROW_MS = 2.8
# UPDATE commands through an account's line_ids, per line: the same lab and bench, 2,000 lines a call.
THROUGH_ACCOUNT_ROW_MS = 1.06


_SINGLE_MS = TIMINGS["1000 single creates total_s"]  # 1,000 calls took this many s: ms per call
_BATCH_MS = TIMINGS["1 call x 1000 total_s"] * 1000  # one call of 1,000 records
PER_RECORD_MS = (_BATCH_MS - _SINGLE_MS) / 999  # ~0.35 ms per record in a batch
CREATE_FIXED_MS = _SINGLE_MS - PER_RECORD_MS  # ~19.3 ms per mutating call (transaction, commit)
CALL_MS = TIMINGS["execute_kw search_count account.analytic.plan"]["median_ms"]
READ_ROW_MS = (TIMINGS["search_read 5000 rows ms"] - CALL_MS) / 5000


def cost_ms(
    service: str, method: str, model_method: str | None, n_records: int | None, model: str | None = None
) -> float:
    """What one call costs on the recorded Odoo 17 (2-core machine), by service and method."""
    if service == "common":
        name = "common.authenticate" if method == "authenticate" else "common.version"
        return float(TIMINGS[name]["median_ms"])
    if model_method == "load":
        return CREATE_FIXED_MS + LOAD_ROW_MS * (n_records or 1)
    # an account write of many records: its lines by UPDATE commands (archiving many accounts at once is rare)
    if model_method == "write" and model == ACCOUNT and (n_records or 0) > 1:
        return CREATE_FIXED_MS + THROUGH_ACCOUNT_ROW_MS * (n_records or 1)
    if model_method in MUTATIONS:
        return CREATE_FIXED_MS + PER_RECORD_MS * (n_records or 1)
    return CALL_MS + READ_ROW_MS * (n_records or 0)


class ModelledOdoo(FakeOdoo):
    """The test server, each call stretched to Odoo 17's measured cost (see ``cost_ms``)."""

    _serial = threading.Lock()  # the fake's own work is serial anyway (one store lock); the sleep is not

    def _rpc(self, service: str, body: bytes) -> tuple[bytes, bool]:
        started = time.perf_counter()
        with self._serial:
            answer = super()._rpc(service, body)
            call = self._calls[-1]  # this call's record: appended under the lock we hold
        wanted = cost_ms(call.service, call.method, call.model_method, call.n_records, call.model) / 1000
        time.sleep(max(0.0, wanted - (time.perf_counter() - started)))
        return answer


@dataclass(frozen=True, slots=True)
class Target:
    """Where to find an Odoo and how to log in."""

    profile: str
    url: str
    db: str
    login: str
    password: str
    server: FakeOdoo | None = None

    def conn_fields(self, tenant_id: str, timeout: float = 120) -> dict[str, object]:
        extra = {"tenant_id": tenant_id, "timeout": timeout}
        return {
            "conn_type": "odoo",
            "host": self.url,
            "schema": self.db,
            "login": self.login,
            "password": self.password,
            "extra": extra,
        }

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def describe(target: Target) -> str:
    """Which server answered: its version, and where (the real one) or which profile (the test server)."""
    version: dict[str, Any] = xmlrpc.client.ServerProxy(f"{target.url}/xmlrpc/2/common").version()  # type: ignore[assignment]
    name = f"Odoo {version.get('server_version', '?')}"
    if target.server is None:
        return f"{name} at {target.url}, database {target.db}"
    return f"odoo_test_server as {name} ({target.profile})"


def real_odoo_configured() -> bool:
    return all(os.environ.get(f"ODOO_TEST_{k}") for k in ("URL", "DB", "USER", "PASSWORD"))


def start(profile: str) -> Target:
    """A fresh, empty Odoo for one measurement (a new loopback server; the real one as it is)."""
    if profile == "real":
        env = {k: os.environ[f"ODOO_TEST_{k.upper()}"] for k in ("url", "db", "user", "password")}
        return Target("real", env["url"].rstrip("/"), env["db"], env["user"], env["password"])
    cls = ModelledOdoo if profile == "odoo17-model" else FakeOdoo
    server = cls(db="bench", login="admin", password="admin").start()
    return Target(profile, server.url, "bench", "admin", "admin", server)


@dataclass
class CallCounter:
    """XML-RPC calls seen by the client side, by (model, method), and when each ran; works against any server."""

    by_method: dict[str, int] = field(default_factory=dict)
    spans: list[tuple[float, float, str]] = field(default_factory=list)  # (perf_counter in, out, name)

    def add(self, name: str) -> None:
        self.by_method[name] = self.by_method.get(name, 0) + 1

    @contextmanager
    def watch(self, call: str) -> Iterator[None]:
        """Count and time a call (for ``odoo_sync.odoo.seams.watched``, the hook's client seam, and RawOdoo)."""
        self.add(call)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.spans.append((started, time.perf_counter(), call))

    @property
    def total(self) -> int:
        return sum(self.by_method.values())

    @property
    def mutations(self) -> int:
        return sum(n for name, n in self.by_method.items() if name.rsplit(".", 1)[-1] in MUTATIONS)


class RawOdoo:
    """What a user's own script does: xmlrpc.client, one login, execute_kw, nothing else."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.counter = CallCounter()
        self._common = xmlrpc.client.ServerProxy(f"{target.url}/xmlrpc/2/common")
        self._object = xmlrpc.client.ServerProxy(f"{target.url}/xmlrpc/2/object")
        self.uid = 0

    def login(self) -> None:
        with self.counter.watch("authenticate"):
            self.uid = int(self._common.authenticate(self.target.db, self.target.login, self.target.password, {}))

    def version(self) -> dict[str, Any]:
        return self._common.version()  # type: ignore[no-any-return]

    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        t = self.target
        with self.counter.watch(f"{model}.{method}"):
            return self._object.execute_kw(t.db, self.uid, t.password, model, method, list(args), kwargs)
