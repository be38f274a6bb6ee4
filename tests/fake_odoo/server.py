"""FakeOdoo: an Odoo 17 XML-RPC server on 127.0.0.1 (real HTTP, one thread per connection, keep-alive), with
switches for what sits in front of a real Odoo (refused connections, 5xx/429, slowness) and statistics."""

from __future__ import annotations

import http
import re
import socket
import threading
import time
import xmlrpc.client
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

from tests.fake_odoo import errors
from tests.fake_odoo.inspection import Inspection
from tests.fake_odoo.seed import seed
from tests.fake_odoo.services import CallInfo, Services
from tests.fake_odoo.store import Store

_ROUTE = re.compile(r"/xmlrpc/2/(\w+)/?")
_ERROR_PAGE = (
    "<html><head><title>{0}</title></head><body><center><h1>{0}</h1></center><hr><center>nginx</center>"
    "</body></html>\n"
)


class CallRecord(NamedTuple):
    """One RPC that reached the fake Odoo (model fields are None for the common and db services)."""

    service: str
    method: str
    model: str | None
    model_method: str | None
    n_records: int | None
    ts: float
    fault_code: int | None = None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, fake: FakeOdoo) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self.connections_lock:
            for conn in list(self.connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer is not the fake's concern


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Werkzeug/3.0.1"
    sys_version = "Python/3.11"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle/delayed-ACK stalls

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_GET(self) -> None:
        status = 405 if _ROUTE.fullmatch(self.path) else 404
        self.send_page(status)

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


class FakeOdoo(Inspection):
    """A faithful Odoo 17 XML-RPC test server. ``start()`` binds 127.0.0.1:``port`` (0: any free port)."""

    def __init__(
        self,
        db: str = "odoo",
        login: str = "admin",
        password: str = "admin",
        api_keys: tuple[str, ...] = (),
        version: int = 17,
        port: int = 0,
    ) -> None:
        self.db, self.login, self.password, self.api_keys = db, login, password, tuple(api_keys)
        self.version = version
        self.port = port
        self.store = Store(version)
        seed(self.store, login)
        # switches, all safe to flip while serving
        self.http_error: int | None = None
        self.http_error_count: int | None = None
        self.retry_after: float = 1
        self.delay: float = 0.0
        self.commit_then_timeout = False
        self.reject_auth = False
        self.fail_record: Callable[[str, dict[str, Any]], str | None] | None = None
        self.die_after_creates: int | None = None
        self.deny_access: set[str] = set()
        self.reject_nil = (
            False  # Odoo decodes <nil/> as None; True makes such requests fail (stricter than Odoo)
        )
        self.requests_seen = 0
        self._calls: list[CallRecord] = []
        self._creates_ok = 0
        self._lock = threading.Lock()
        self._state_lock = threading.RLock()
        self._down = True
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._services = Services(self)

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> FakeOdoo:
        self.down = False
        self.set_param("web.base.url", self.url)
        return self

    def stop(self) -> None:
        self.down = True

    def __enter__(self) -> FakeOdoo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def down(self) -> bool:
        return self._down

    @down.setter
    def down(self, value: bool) -> None:
        with self._state_lock:
            if value and not self._down:
                self._close()
            elif not value and self._down:
                self._open()
            self._down = bool(value)

    def _open(self) -> None:
        self._httpd = _HTTPServer(self.port, self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"fake-odoo-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def _close(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.drop_connections()
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._httpd = self._thread = None

    # -- statistics --------------------------------------------------------------------------------------
    @property
    def calls(self) -> list[CallRecord]:
        with self._lock:
            return list(self._calls)

    def count(self, model: str | None = None, method: str | None = None) -> int:
        """Number of execute/execute_kw calls on ``model`` (any if None) with model method ``method``."""
        return sum(
            1
            for c in self.calls
            if c.service == "object"
            and c.model_method is not None
            and (model is None or c.model == model)
            and (method is None or c.model_method == method)
        )

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    # -- one HTTP request --------------------------------------------------------------------------------
    def _handle(self, handler: _Handler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        with self._lock:
            self.requests_seen += 1
        if self.delay and not self.commit_then_timeout:
            time.sleep(self.delay)
        status = self._take_http_error()
        if status is not None:
            extra = {"Retry-After": f"{self.retry_after:g}"} if status == 429 else None
            handler.send_page(status, extra)
            return
        route = _ROUTE.fullmatch(handler.path.split("?")[0])
        if route is None:
            handler.send_page(404)
            return
        payload, created = self._rpc(route[1], body)
        if self.delay and self.commit_then_timeout:
            time.sleep(self.delay)
        handler.send_body(200, payload, "text/xml; charset=utf-8")
        if created and self._count_create():
            threading.Thread(target=setattr, args=(self, "down", True), daemon=True).start()

    def _take_http_error(self) -> int | None:
        with self._lock:
            status, left = self.http_error, self.http_error_count
            if status is None:
                return None
            if left is not None:
                if left <= 1:
                    self.http_error = self.http_error_count = None
                    if left <= 0:
                        return None
                else:
                    self.http_error_count = left - 1
            return int(status)

    def _count_create(self) -> bool:
        with self._lock:
            self._creates_ok += 1
            return self.die_after_creates is not None and self._creates_ok >= self.die_after_creates

    def _rpc(self, service: str, body: bytes) -> tuple[bytes, bool]:
        info = CallInfo()
        method, fault = "", None
        try:
            if self.reject_nil and (b"<nil/>" in body or b"<ex:nil" in body):
                raise TypeError(
                    "fake_odoo.reject_nil: the request contains <nil/>; Odoo would read it as None"
                )
            params, method = xmlrpc.client.loads(body)
            result = self._services.dispatch(service, method or "", params, info)
            text = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except Exception as exc:
            fault = errors.to_fault(exc)
            text = xmlrpc.client.dumps(fault, methodresponse=True, allow_none=False)
        record = CallRecord(
            service,
            method or "",
            info.model,
            info.model_method,
            info.n_records,
            time.time(),
            fault.faultCode if fault else None,
        )
        with self._lock:
            self._calls.append(record)
        return text.encode("utf-8"), fault is None and info.model_method == "create"
