"""One Odoo call in flight on a worker thread while the task's own thread does the database work around it."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any, Generic, TypeVar

from odoo_sync.errors import OdooRecordError
from odoo_sync.odoo.hook import OdooHook

Call = TypeVar("Call", bound=Sequence[Any])  # one call's records
Chunk = TypeVar("Chunk")
Prepared = TypeVar("Prepared")


def pipelined(
    hook: OdooHook,
    batch_size: int,
    calls: Iterable[Call],
    book: Callable[[Sequence[Call]], None],
    send: Callable[[Call], Any],
    settle: Callable[[Call, Any], None],
) -> None:
    """Send ``calls`` one at a time from a worker thread; this thread books and settles around them.

    While call k is on the wire, this thread commits the ``pending`` keys of the next call (``book``, up to
    ``batch_size`` keys a statement) and writes call k-1's audit rows (held by ``SyncLog.deferred``, so the
    connection is only ever used from this thread). A key is always pending in a committed row before its call
    is sent, and only one call is ever in flight. An answered call k is settled (ledger ``done``, the caller's
    own saves) once call k+1 is on the wire; a refused one is settled first, as its halves are calls of their
    own. ``settle`` gets the answer or the OdooRecordError; any other error propagates once nothing is in
    flight, leaving booked keys pending for the next run (a crash between sending k+1 and settling k leaves
    k's keys pending too: the next run reads them back).

    ``calls`` may be a generator: it is drawn from while a call is on the wire (what it does then, such as
    planning the next chunk, stays off the critical path), one booking ahead, so memory holds a few calls.
    """
    upcoming = _Upcoming(iter(calls))
    if upcoming.empty():
        return
    hook.get_conn()  # the connection's lookup (Airflow's task comms) stays on the task's own thread
    booked: deque[Call] = deque()

    def book_ahead() -> None:
        """Commit the next calls' keys (up to ``batch_size`` a statement) unless the next call is booked."""
        if not booked and (group := upcoming.take_up_to(batch_size)):
            book(group)
            booked.extend(group)

    log = hook.sync_log
    with log.deferred() if log is not None else nullcontext(), ThreadPoolExecutor(1, "odoo-call") as wire:
        book_ahead()
        call = booked.popleft()
        flight = wire.submit(send, call)
        while True:
            book_ahead()
            outcome = _answer(flight)
            refused = isinstance(outcome, OdooRecordError)
            if refused:
                settle(call, outcome)
            following = booked.popleft() if booked else None
            if following is not None:
                flight = wire.submit(send, following)
            if not refused:
                settle(call, outcome)  # while the following call is on the wire
            if log is not None:
                log.flush()  # this call's audit rows, while the following one is on the wire
            if following is None:
                return
            call = following


class _Upcoming(Generic[Call]):
    """The calls not yet booked, drawn from an iterator with one call of look-ahead."""

    def __init__(self, calls: Iterator[Call]) -> None:
        self._calls = calls
        self._next: Call | None = next(calls, None)

    def empty(self) -> bool:
        return self._next is None

    def take_up_to(self, keys: int) -> list[Call]:
        """The next calls whose records add up to ``keys`` at most (at least one call, whatever its size)."""
        group: list[Call] = []
        total = 0
        while self._next is not None and (not group or total + len(self._next) <= keys):
            group.append(self._next)
            total += len(self._next)
            self._next = next(self._calls, None)
        return group


def _answer(flight: Future[Any]) -> Any:
    """The call's result, or the OdooRecordError Odoo answered with (any other error propagates)."""
    try:
        return flight.result()
    except OdooRecordError as exc:
        return exc


def read_ahead(chunks: Iterator[Chunk], prepare: Callable[[Chunk], Prepared]) -> Iterator[tuple[Chunk, Prepared]]:
    """Yield each chunk with ``prepare(chunk)``, the next one read and prepared on a worker thread meanwhile.

    While the caller applies chunk k (its time is spent waiting for Odoo), chunk k+1 is fetched from the source
    and turned into values, so the first call of chunk k+1 follows the last of chunk k without that work between.
    ``chunks`` and ``prepare`` must only use what the caller does not touch meanwhile (the source connection, a
    connection of their own; not the hook).
    """

    def step() -> tuple[Chunk, Prepared] | None:
        chunk = next(chunks, None)
        return None if chunk is None else (chunk, prepare(chunk))

    try:
        with ThreadPoolExecutor(1, "source-ahead") as worker:
            upcoming = worker.submit(step)
            while (item := upcoming.result()) is not None:
                upcoming = worker.submit(step)
                yield item
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:  # a stopped run ends the source's cursor and transaction here, not at exit
            close()
