"""The HTTP side of the fake Odoo: a threaded server on 127.0.0.1 that can drop every open connection, and a
keep-alive HTTP/1.1 handler that passes each POST and GET to the FakeOdoo."""

from __future__ import annotations

import contextlib
import http
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol


class Application(Protocol):
    def handle_post(self, handler: Handler) -> None: ...

    def handle_get(self, handler: Handler) -> None: ...


ROUTE = re.compile(r"/xmlrpc/2/(\w+)/?")
_ERROR_PAGE = (
    "<html><head><title>{0}</title></head><body><center><h1>{0}</h1></center><hr><center>nginx</center></body></html>\n"
)


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, fake: Application) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self, keep: socket.socket | None = None) -> None:
        with self.connections_lock:
            for conn in list(self.connections):
                if conn is keep:
                    continue
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer is not the fake's concern


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Werkzeug/3.0.1"
    sys_version = "Python/3.11"
    server: HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle/delayed-ACK stalls

    def do_POST(self) -> None:
        self.server.fake.handle_post(self)

    def do_GET(self) -> None:
        self.server.fake.handle_get(self)

    def send_page(self, status: int, headers: dict[str, str] | None = None) -> None:
        phrase = f"{status} {http.HTTPStatus(status).phrase}"
        self.send_body(status, _ERROR_PAGE.format(phrase).encode(), "text/html", headers)

    def send_body(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass
