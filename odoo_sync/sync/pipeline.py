"""One Odoo call in flight on a worker thread while the task's own thread does the database work around it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any

from odoo_sync.errors import OdooRecordError
from odoo_sync.odoo.hook import OdooHook


def pipelined(
    hook: OdooHook,
    batch_size: int,
    calls: Sequence[Sequence[Any]],
    book: Callable[[Sequence[Sequence[Any]]], None],
    send: Callable[[Sequence[Any]], Any],
    settle: Callable[[Sequence[Any], Any], None],
) -> None:
    """Send ``calls`` one at a time from a worker thread; this thread books and settles around them.

    While call k is on the wire, this thread commits the ``pending`` keys of the next call (``book``, up to
    ``batch_size`` keys a statement) and writes call k-1's audit rows (held by ``SyncLog.deferred``, so the
    connection is only ever used from this thread). A key is always pending in a committed row before its call
    is sent, and only one call is ever in flight: call k is settled (ledger ``done``, or, for a refused call,
    halved with calls of its own) before call k+1 is sent. ``settle`` gets the answer or the OdooRecordError;
    any other error propagates once nothing is in flight, leaving booked keys pending for the next run.
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
            settle(call, _answer(flight))
            if k + 1 < len(calls):
                flight = wire.submit(send, calls[k + 1])
            if log is not None:
                log.flush()  # call k's audit rows, while call k+1 is on the wire


def _answer(flight: Future[Any]) -> Any:
    """The call's result, or the OdooRecordError Odoo answered with (any other error propagates)."""
    try:
        return flight.result()
    except OdooRecordError as exc:
        return exc
