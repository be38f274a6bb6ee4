"""The circuit breaker's limit: a share of the records present, rounded up, never all of them."""

from __future__ import annotations

import pytest

from odoo_sync.sync.breaker import allowed_removals


@pytest.mark.parametrize(
    ("present", "share", "allowed"),
    [
        (320, 0.25, 80),
        (20, 0.25, 5),  # it was 20 (the floor): a 20-line tenant could lose every line in one run
        (3, 0.25, 1),
        (1, 0.25, 0),  # the last line only with confirm_removals
        (0, 0.25, 0),
        (10, 1.0, 10),  # a share of 100% switches the breaker off
        (10, 0.0, 0),
    ],
)
def test_the_limit_is_the_share_rounded_up_and_never_the_whole_tenant(present: int, share: float, allowed: int) -> None:
    assert allowed_removals(present, share) == allowed
