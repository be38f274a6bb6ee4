"""A faithful Odoo 17 XML-RPC server for tests, the demo and benchmarks (stdlib only).

    from tests.fake_odoo import FakeOdoo
    srv = FakeOdoo(db="odoo", login="admin", password="admin", api_keys=("key-123",)).start()
    ...
    srv.stop()

Behaviour follows the facts recorded from a real Odoo 17.0 server in ``recorded/`` (fields_get, faults,
seed state, timings) and Odoo 17's source where the recording is silent. See ``server.FakeOdoo`` for the
fault switches (down, http_error, delay, reject_auth, fail_record, ...) and the statistics (calls, count).
"""

from __future__ import annotations

from tests.fake_odoo.schema import RECORDED_DIR
from tests.fake_odoo.server import CallRecord, FakeOdoo

__all__ = ["RECORDED_DIR", "CallRecord", "FakeOdoo"]
