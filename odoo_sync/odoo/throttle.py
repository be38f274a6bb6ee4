"""A client-side rate limit per tenant: Odoo publishes none and asks integrators to throttle themselves."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """At most ``rate`` calls a second on average, with bursts of up to ``burst`` calls.

    A short burst (the few reads that open a task) goes out at once; a long run of calls is paced.
    """

    def __init__(
        self,
        rate: float,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = float(burst if burst is not None else max(1, int(rate)))
        self.tokens = self.capacity
        self._clock, self._sleep = clock, sleep
        self._updated = clock()

    def take(self) -> float:
        """Wait for a token; returns the seconds waited."""
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        wait = (1 - self.tokens) / self.rate
        self._sleep(wait)
        self.tokens, self._updated = 0.0, self._clock()
        return wait
