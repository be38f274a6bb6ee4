from __future__ import annotations

from odoo_sync.odoo.throttle import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_a_burst_goes_out_at_once_then_calls_are_paced() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=10, burst=3, clock=clock, sleep=clock.sleep)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() == 0.1 and bucket.take() == 0.1
    assert clock.slept == [0.1, 0.1]


def test_idle_time_refills_up_to_the_burst_only() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=2, burst=2, clock=clock, sleep=clock.sleep)
    bucket.take(), bucket.take()
    clock.now += 60  # a long pause earns no more than the burst
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.5]


def test_average_rate_holds_over_many_calls() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=20, clock=clock, sleep=clock.sleep)
    for _ in range(220):
        bucket.take()
    assert 9.9 <= clock.now <= 10.1  # 220 calls, 20 at once, then 200 at 20/s
