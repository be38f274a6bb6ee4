"""Time the ledger and sync_log writes of a run, and count commits (wrappers only; the code paths are the real ones)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from odoo_sync.store.ledger import Ledger
from odoo_sync.store.sync_log import SyncLog


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


@contextmanager
def measuring_db_writes() -> Iterator[DbWrites]:
    """Wrap Ledger's methods, SyncLog._copy (its COPY) and Connection.commit for the duration of the block."""
    sink = DbWrites()
    patched: list[tuple[type, str, Any]] = [(Ledger, m, getattr(Ledger, m)) for m in ledger_methods()]
    patched += [(SyncLog, "_copy", SyncLog._copy), (psycopg.Connection, "commit", psycopg.Connection.commit)]
    for cls, name, fn in patched:
        label = "sync_log.copy" if cls is SyncLog else f"ledger.{name}"
        if cls is psycopg.Connection:
            setattr(cls, name, _counted(fn, sink))
        else:
            setattr(cls, name, _timed(fn, label, sink))
    try:
        yield sink
    finally:
        for cls, name, fn in patched:
            setattr(cls, name, fn)


def _counted(fn: Callable[..., Any], sink: DbWrites) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        sink.commits += 1
        return fn(*args, **kwargs)

    return wrapped
