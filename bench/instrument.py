"""Time a run's ledger and sync_log writes through the session's seams, and count commits (real code paths)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg

from odoo_sync.store.ledger import Ledger
from odoo_sync.store.sync_log import RunContext, SyncLog


def ledger_methods() -> list[str]:
    """Every public method of the Ledger as it is today (the class is still evolving)."""
    return [name for name, fn in vars(Ledger).items() if callable(fn) and not name.startswith("_")]


@dataclass
class DbWrites:
    """Seconds and calls spent in the ledger and in sync_log appends, and commits on any connection."""

    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    commits: int = 0

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.calls[name] = self.calls.get(name, 0) + 1

    def total(self, prefix: str) -> float:
        return sum(s for name, s in self.seconds.items() if name.startswith(prefix))

    def count(self, prefix: str) -> int:
        return sum(n for name, n in self.calls.items() if name.startswith(prefix))


def _timed(fn: Callable[..., Any], name: str, sink: DbWrites) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            sink.add(name, time.perf_counter() - started)

    return wrapped


def timed_ledger(sink: DbWrites) -> Callable[[psycopg.Connection], Ledger]:
    """The session's ``ledger`` seam: a Ledger whose public methods add their time to ``sink``."""
    timed = {name: _timed(getattr(Ledger, name), f"ledger.{name}", sink) for name in ledger_methods()}
    return cast(type[Ledger], type("TimedLedger", (Ledger,), timed))


def timed_sync_log(sink: DbWrites) -> Callable[[psycopg.Connection, str, RunContext], SyncLog]:
    """The session's ``sync_log`` seam: a SyncLog whose COPYs add their time to ``sink``."""
    timed = {"_copy": _timed(SyncLog._copy, "sync_log.copy", sink)}
    return cast(type[SyncLog], type("TimedSyncLog", (SyncLog,), timed))


@contextmanager
def counting_commits(sink: DbWrites) -> Iterator[None]:
    """Count Connection.commit on any connection for the duration of the block.

    psycopg is a third-party class and the session opens two connections (its own, the source's), so this one
    stays a patch; Odoo calls, ledger and sync_log are watched through the session's seams instead.
    """
    commit = psycopg.Connection.commit
    psycopg.Connection.commit = _counted(commit, sink)  # type: ignore[method-assign]
    try:
        yield
    finally:
        psycopg.Connection.commit = commit  # type: ignore[method-assign]


def _counted(fn: Callable[..., Any], sink: DbWrites) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        sink.commits += 1
        return fn(*args, **kwargs)

    return wrapped
