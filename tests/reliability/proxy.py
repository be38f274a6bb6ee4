"""A loopback HTTP proxy in front of the test Odoo that can lose an answer: the request reaches Odoo and
commits, then the connection is closed before the answer goes back (a proxy or network dying mid-answer)."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LossyProxy:
    """``lose_answer_of(n)``: the answer to the n-th request whose body contains ``match`` is dropped."""

    def __init__(self, upstream_port: int, match: bytes = b"<string>create</string>") -> None:
        self.upstream_port = upstream_port
        self.match = match
        self.lose_at: int | None = None
        self.seen = 0
        self.lost = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                upstream.request("POST", self.path, body, {"Content-Type": "text/xml"})
                answer = upstream.getresponse()
                payload = answer.read()
                upstream.close()
                if proxy._should_lose(body):
                    self.close_connection = True  # Odoo committed; the client never hears of it
                    return
                self.send_response(answer.status)
                for key in ("Content-Type",):
                    if answer.getheader(key):
                        self.send_header(key, answer.getheader(key))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _should_lose(self, body: bytes) -> bool:
        if self.match not in body:
            return False
        with self._lock:
            self.seen += 1
            if self.lose_at is not None and self.seen == self.lose_at:
                self.lost += 1
                return True
        return False

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
