"""FakeOdoo: an Odoo 17 XML-RPC server on 127.0.0.1 (real HTTP, one thread per connection, keep-alive), with
Odoo 19's JSON-2 API from ``version=19``, switches for what sits in front of a real Odoo (refused connections,
5xx/429, slowness, lost answers) and statistics."""

from __future__ import annotations

import socket
import threading
import time
import xmlrpc.client
from collections.abc import Callable
from typing import Any, NamedTuple

from odoo_test_server import errors, json2
from odoo_test_server.httpd import ROUTE, Handler, HTTPServer
from odoo_test_server.inspection import Inspection
from odoo_test_server.seed import seed
from odoo_test_server.services import CallInfo, Services
from odoo_test_server.store import Store


class CallRecord(NamedTuple):
    """One RPC that reached the fake Odoo (model fields are None for the common and db services).

    JSON-2 calls have service ``json2`` (``GET /json/version``: method ``version``) and their HTTP status."""

    service: str
    method: str
    model: str | None
    model_method: str | None
    n_records: int | None
    ts: float
    fault_code: int | None = None
    http_status: int | None = None


class FakeOdoo(Inspection):
    """A faithful Odoo 17 XML-RPC test server. ``start()`` binds 127.0.0.1:``port`` (0: any free port).

    ``version`` 16 reports 16.0 and has no ``x_plan`` columns; 18 reports 18.0 and gives ``project.project``
    Odoo 18's shape (``account_id`` and the plan columns instead of ``analytic_account_id``); 19 also serves the
    JSON-2 API (``POST /json/2/<model>/<method>`` with one of ``api_keys`` as bearer, ``GET /json/version``).

    Switches (safe to flip while serving):

    * ``down``: True closes the listener and drops open connections (ConnectionRefusedError); False reopens
      the same port, data kept.
    * ``http_error``: answer every request with this HTTP status (429 adds ``Retry-After: retry_after``)
      without reaching Odoo; ``http_error_count``: only for the next N requests.
    * ``delay``: seconds to wait before handling each request; with ``commit_then_timeout`` the wait comes
      after the call ran (and committed), before the answer: an in-doubt timeout.
    * ``reject_auth``: authenticate gives False, execute_kw fault 3 'Access Denied' (password changed).
    * ``fail_record(model, vals) -> str | None``: a constraint on create/write; a text fails the whole call
      with fault 2 and that text, nothing stored.
    * ``fail_unlink(model, record) -> str | Exception | None``: a record Odoo refuses to delete (a lock date, a
      validated timesheet, a record rule); a text fails the whole call as a UserError (fault 2), an exception
      (``errors.AccessError(...)``: fault 4) is raised as it is, nothing deleted.
    * ``die_after_creates = N``: the N-th successful create is answered, then the server is down.
    * ``lose_create_answers = N``: the next N successful creates commit, then the connection closes without an
      answer (a proxy or the network dying mid-answer); the server stays up.
    * ``deny_access``: models the user has no access rights on (fault 4, check_access_rights False).
    * ``reject_nil``: fail requests containing <nil/> (Odoo itself decodes them as None).

    Statistics: ``calls`` (CallRecord per RPC that reached Odoo), ``count(model, method)`` (XML-RPC and JSON-2),
    ``reset_calls()``, ``requests_seen`` (every HTTP POST). Inspection without RPC: ``records``, ``add_plan``,
    ``set_param``, ``get_param``, ``store``, ``dump`` and ``restore`` (a backup of the database and its restore).
    """

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
        self.fail_unlink: Callable[[str, dict[str, Any]], str | Exception | None] | None = None
        self.die_after_creates: int | None = None
        self.lose_create_answers = 0
        self.deny_access: set[str] = set()
        self.reject_nil = False
        self.requests_seen = 0
        self._calls: list[CallRecord] = []
        self._creates_ok = 0
        self._dying = False
        self._lock = threading.Lock()
        self._state_lock = threading.RLock()
        self._down = True
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._services = Services(self)
        self._json2 = json2.Json2Api(self)

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
        self._set_down(value)

    def _set_down(self, value: bool, keep: socket.socket | None = None) -> None:
        with self._state_lock:
            if value and not self._down:
                self._close(keep)
            elif not value and self._down:
                self._open()
            self._down = bool(value)

    def _open(self) -> None:
        self._httpd = HTTPServer(self.port, self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"fake-odoo-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def _close(self, keep: socket.socket | None = None) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.drop_connections(keep)
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
            if c.service in ("object", "json2")
            and c.model_method is not None
            and (model is None or c.model == model)
            and (method is None or c.model_method == method)
        )

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    # -- one HTTP request --------------------------------------------------------------------------------
    def handle_post(self, handler: Handler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        with self._lock:
            self.requests_seen += 1
        if self.delay and not self.commit_then_timeout:
            time.sleep(self.delay)
        if self._dying or self._down:  # the server "died" meanwhile: no answer, connection dropped
            handler.close_connection = True
            return
        status = self._take_http_error()
        if status is not None:
            extra = {"Retry-After": f"{self.retry_after:g}"} if status == 429 else None
            handler.send_page(status, extra)
            return
        answer = self._answer(handler, body)
        if answer is None:
            handler.send_page(404)
            return
        dying = answer.created and self._count_create()
        if self.delay and self.commit_then_timeout:
            time.sleep(self.delay)
        if answer.created and self._take_lost_answer():
            handler.close_connection = True  # committed; the client never hears of it
            return
        if dying:  # close the listener before answering: the client's next call is refused
            self._set_down(True, keep=handler.connection)
            self._dying = False
            handler.close_connection = True
        headers = {**answer.headers, **({"Connection": "close"} if dying else {})}
        handler.send_body(answer.status, answer.body, answer.ctype, headers)

    def handle_get(self, handler: Handler) -> None:
        path = handler.path.split("?")[0]
        if self.version < json2.JSON2_FROM or path not in json2.VERSION_PATHS:
            handler.send_page(405 if ROUTE.fullmatch(path) else 404)
            return
        status = self._take_http_error()
        if status is not None:
            handler.send_page(status, {"Retry-After": f"{self.retry_after:g}"} if status == 429 else None)
            return
        answer = json2.version_answer(self.version)
        self._record(CallRecord("json2", "version", None, None, None, time.time(), http_status=answer.status))
        handler.send_body(answer.status, answer.body, answer.ctype, answer.headers)

    def _answer(self, handler: Handler, body: bytes) -> json2.Answer | None:
        """The answer of the service the path names: XML-RPC's, or JSON-2's on 19 (None: no such route)."""
        path = handler.path.split("?")[0]
        if self.version >= json2.JSON2_FROM and (path == "/json/2" or path.startswith("/json/2/")):
            info = CallInfo()
            answer = self._json2.call(path, handler.headers, body, info)
            model, method = info.model, info.model_method
            self._record(
                CallRecord("json2", method or "", model, method, info.n_records, time.time(), None, answer.status)
            )
            return answer
        route = ROUTE.fullmatch(path)
        if route is None:
            return None
        payload, created = self._rpc(route[1], body)
        return json2.Answer(200, payload, "text/xml; charset=utf-8", created=created)

    def _record(self, record: CallRecord) -> None:
        with self._lock:
            self._calls.append(record)

    def _take_lost_answer(self) -> bool:
        with self._lock:
            if self.lose_create_answers <= 0:
                return False
            self.lose_create_answers -= 1
            return True

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
        """Count a successful create; True (and no more answers) when ``die_after_creates`` is reached."""
        with self._lock:
            self._creates_ok += 1
            if self.die_after_creates is not None and self._creates_ok >= self.die_after_creates:
                self._dying = True
                self.die_after_creates = None
            return self._dying

    def _rpc(self, service: str, body: bytes) -> tuple[bytes, bool]:
        info = CallInfo()
        method, fault = "", None
        try:
            if self.reject_nil and (b"<nil/>" in body or b"<ex:nil" in body):
                raise TypeError("fake_odoo.reject_nil: the request contains <nil/>; Odoo would read it as None")
            params, name = xmlrpc.client.loads(body)
            method = name or ""
            result = self._services.dispatch(service, method, params, info)
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
        self._record(record)
        return text.encode("utf-8"), fault is None and info.model_method == "create"
