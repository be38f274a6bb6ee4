"""Where the hook gets its wire client and its time: production's by default, a test's or the bench's on request.

Pass ``client_factory=watched(watch)`` to see every call a hook makes (the reliability harness stops a worker
there, the bench counts calls), or a ``Clock`` whose ``sleep`` records instead of waiting. Nothing is patched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from odoo_sync.odoo.client import OdooClient, OdooEndpoint
from odoo_sync.odoo.json2 import make_client
from odoo_sync.odoo.transport import CallStats

ClientFactory = Callable[[OdooEndpoint, str | None], OdooClient]
"""Build the client for an endpoint and an API (``None``: the endpoint's own ``api``), like ``make_client``."""

Watch = Callable[[str], AbstractContextManager[Any]]
"""Wraps one call, named ``version``, ``authenticate`` or ``model.method``: entered before it is sent, left after."""


@dataclass(frozen=True, slots=True)
class Clock:
    """The hook's time: a monotonic reading for the throttle, a sleep for pacing and Retry-After waits."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


SYSTEM_CLOCK = Clock()


class WatchedClient:
    """An OdooClient that runs each call of ``inner`` inside ``watch(name)``; answers and errors pass unchanged."""

    def __init__(self, inner: OdooClient, watch: Watch) -> None:
        self.inner = inner
        self.endpoint = inner.endpoint
        self._watch = watch

    @property
    def api_name(self) -> str:
        return self.inner.api_name

    @property
    def last_stats(self) -> CallStats:
        return self.inner.last_stats

    def version(self) -> dict[str, Any]:
        with self._watch("version"):
            return self.inner.version()

    def authenticate(self) -> int | bool:
        with self._watch("authenticate"):
            return self.inner.authenticate()

    def execute_kw(
        self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any], *, setup: bool = False
    ) -> Any:
        with self._watch(f"{model}.{method}"):
            return self.inner.execute_kw(uid, model, method, args, kwargs, setup=setup)


def watched(watch: Watch, factory: ClientFactory = make_client) -> ClientFactory:
    """A client factory whose clients report every call to ``watch``."""

    def build(endpoint: OdooEndpoint, api: str | None) -> OdooClient:
        return WatchedClient(factory(endpoint, api), watch)

    return build
