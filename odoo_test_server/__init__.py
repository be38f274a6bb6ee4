"""A faithful Odoo 17 XML-RPC server for tests, the demo and benchmarks (stdlib only), with Odoo 19's JSON-2 API
when started with ``version=19`` (``json2.py``; an API key of ``api_keys`` as the bearer).

    from odoo_test_server import FakeOdoo
    srv = FakeOdoo(db="odoo", login="admin", password="admin", api_keys=("key-123",)).start()
    ...
    srv.stop()

Behaviour follows the facts recorded from real Odoo 17.0 servers in ``recorded/`` (fields_get, faults,
seed state, timings; from Odoo 19.0, ``json2_19.json``), and from 18.0 and 19.0 in ``recorded/18/`` and
``recorded/19/`` with ``version=18|19`` (what differs: ``versions.py``), and Odoo's source where the recording
is silent. See
``server.FakeOdoo`` for the fault switches (down, http_error, delay, reject_auth, fail_record, ...) and the
statistics (calls, count).
"""

from __future__ import annotations

from odoo_test_server.schema import RECORDED_DIR
from odoo_test_server.server import CallRecord, FakeOdoo

__all__ = ["RECORDED_DIR", "CallRecord", "FakeOdoo"]
