"""A loopback HTTP proxy in front of the test Odoo that can lose an answer: the request reaches Odoo and
commits, then the connection is closed before the answer goes back (a proxy or network dying mid-answer).

It speaks both of Odoo's external APIs: XML-RPC (``POST /xmlrpc/2/<service>``, the method in the body) and
JSON-2 (``POST /json/2/<model>/<method>`` with its bearer key and database headers, ``GET /json/version``).
"""

from __future__ import annotations

import http.client
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

XMLRPC_CREATE = b"<string>create</string>"
JSON2_CREATE = r"/json/2/[^/?]+/create"
# The request headers Odoo reads (JSON-2's key and database), passed through as they came.
FORWARDED = ("Content-Type", "Authorization", "X-Odoo-Database", "User-Agent")
# The answer headers a client reads (429's Retry-After, 401's WWW-Authenticate), passed back as they came.
RETURNED = ("Content-Type", "Retry-After", "WWW-Authenticate")


class LossyProxy:
    """``lose_at = n``: the answer to the n-th matching request is dropped after Odoo answered it.

    A request matches when its path matches ``path`` (a regex, for JSON-2) or, without ``path``, when its body
    contains ``match`` (XML-RPC names the method in the body). ``for_transport`` picks the create calls of either.
    """

    def __init__(self, upstream_port: int, match: bytes = XMLRPC_CREATE, path: str | None = None) -> None:
        self.upstream_port = upstream_port
        self.match = match
        self.path_re = re.compile(path) if path else None
        self.lose_at: int | None = None
        self.seen = 0
        self.lost = 0
        self.forwarded = 0  # every request passed upstream
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def do_GET(self) -> None:
                self._relay("GET", None)

            def do_POST(self) -> None:
                self._relay("POST", self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def _relay(self, verb: str, body: bytes | None) -> None:
                headers = {k: v for k in FORWARDED if (v := self.headers.get(k)) is not None}
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                try:
                    upstream.request(verb, self.path, body, headers)
                    answer = upstream.getresponse()
                    payload = answer.read()
                except OSError:  # Odoo is down or dropped the connection: so does the proxy
                    self.close_connection = True
                    return
                finally:
                    upstream.close()
                with proxy._lock:
                    proxy.forwarded += 1
                if verb == "POST" and proxy._should_lose(self.path, body or b""):
                    self.close_connection = True  # Odoo committed; the client never hears of it
                    return
                self.send_response(answer.status)
                for key in RETURNED:
                    if (value := answer.getheader(key)) is not None:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @classmethod
    def for_transport(cls, upstream_port: int, transport: str) -> LossyProxy:
        """A proxy whose ``lose_at`` counts the create calls of ``transport`` (``xmlrpc`` or ``json2``)."""
        return cls(upstream_port, path=JSON2_CREATE) if transport == "json2" else cls(upstream_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _should_lose(self, path: str, body: bytes) -> bool:
        matched = self.path_re.fullmatch(path.split("?")[0]) if self.path_re else self.match in body
        if not matched:
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
