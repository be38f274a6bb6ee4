"""Run the fake Odoo in the foreground: ``python -m odoo_test_server --port 8069``; stops on SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType

from odoo_test_server import versions
from odoo_test_server.server import FakeOdoo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m odoo_test_server", description=__doc__)
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--db", default="odoo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--api-key", action="append", default=[], dest="api_keys")
    parser.add_argument("--version", type=int, default=17, choices=versions.VERSIONS)
    args = parser.parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    srv = FakeOdoo(
        db=args.db,
        login=args.login,
        password=args.password,
        api_keys=tuple(args.api_keys),
        version=args.version,
        port=args.port,
    ).start()
    print(f"fake odoo listening on {srv.url} db={srv.db} login={srv.login}", flush=True)
    try:
        stop.wait()
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
