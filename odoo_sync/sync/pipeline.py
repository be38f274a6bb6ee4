"""One Odoo call in flight on a worker thread while the task's own thread does the database work around it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any, TypeVar

from odoo_sync.errors import OdooRecordError
from odoo_sync.odoo.hook import OdooHook

Call = TypeVar("Call", bound=Sequence[Any])  # one call's records
Chunk = TypeVar("Chunk")
Prepared = TypeVar("Prepared")


def pipelined(
    hook: OdooHook,
    batch_size: int,
    calls: Sequence[Call],
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
    """
    if not calls:
        return
    hook.get_conn()  # the connection's lookup (Airflow's task comms) stays on the task's own thread
    booked = 0

    def book_through(k: int) -> None:
        nonlocal booked
        if k < len(calls) and booked <= k:
            end, keys = booked, 0
            while end < len(calls) and (end == booked or keys + len(calls[end]) <= batch_size):
                keys += len(calls[end])
                end += 1
            book(calls[booked:end])
            booked = end

    log = hook.sync_log
    with log.deferred() if log is not None else nullcontext(), ThreadPoolExecutor(1, "odoo-call") as wire:
        book_through(0)
        flight = wire.submit(send, calls[0])
        for k, call in enumerate(calls):
            book_through(k + 1)
            outcome = _answer(flight)
            refused = isinstance(outcome, OdooRecordError)
            if refused:
                settle(call, outcome)
            if k + 1 < len(calls):
                flight = wire.submit(send, calls[k + 1])
            if not refused:
                settle(call, outcome)  # while call k+1 is on the wire
            if log is not None:
                log.flush()  # call k's audit rows, while call k+1 is on the wire


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
