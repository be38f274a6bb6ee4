"""Odoo 19's JSON-2 API for the fake, on the fake's ORM (served when the FakeOdoo has ``version >= 19``).

As recorded from a real Odoo 19 (``shared/odoo19/json2.json``) and, where the recording is silent, as its source
does it (``addons/rpc/controllers/json2.py``, ``odoo/http.py`` Json2Dispatcher, ``ir.http._auth_method_bearer``),
in this order: route ``POST /json/2/<model>/<method>`` (else 404 "Did you mean ...") -> database (an
``X-Odoo-Database`` naming another database finds no route: an HTML 404) -> bearer API key (401 with
``WWW-Authenticate: Bearer``; a password is no key) -> JSON body (400) -> model (404) -> public method (403
private, 404 unknown) -> ``ids`` on a model method (422) -> the arguments bind (422) -> the call. An error body
is ``{name, message, arguments, context, debug}``, ``debug`` the whole traceback; UserError and its kin answer
their ``http_status`` (ValidationError/UserError 422, MissingError 404, AccessError 403), anything else 500.
``GET /json/version`` (and ``/web/version``) answers ``{version_info, version}`` without a login.
"""

from __future__ import annotations

import inspect
import json
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from odoo_test_server import errors, orm
from odoo_test_server.services import CallInfo, Settings

JSON2_FROM = 19
VERSION_PATHS = frozenset({"/json/version", "/web/version"})
RPC = re.compile(r"/json/2/([^/]+)/([^/]+)")
BEARER = re.compile(r"^bearer\s+(.+)$", re.IGNORECASE)
JSON_TYPE = "application/json; charset=utf-8"
NOT_FOUND_PAGE = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL "
    "was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n"
)
# odoo.exceptions.X.http_status in 19 (the fake's AccessError and AccessDenied are no UserError: listed too)
STATUS = {
    errors.MissingError: 404,
    errors.AccessError: 403,
    errors.AccessDenied: 403,
    errors.UserError: 422,
}


@dataclass
class Answer:
    """An HTTP answer: status, body, content type, extra headers; ``created``: a create succeeded."""

    status: int
    body: bytes
    ctype: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    created: bool = False


class HTTPException(Exception):
    """werkzeug.exceptions.HTTPException: its body's arguments are (description, code)."""

    code = 500

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class BadRequest(HTTPException):
    code = 400


class Unauthorized(HTTPException):
    code = 401


class NotFound(HTTPException):
    code = 404


class UnprocessableEntity(HTTPException):
    code = 422


for _cls in (HTTPException, BadRequest, Unauthorized, NotFound, UnprocessableEntity):
    _cls.__module__ = "werkzeug.exceptions"


def version_answer(version: int) -> Answer:
    info = [version, 0, 0, "final", 0, ""]
    return Answer(200, json.dumps({"version_info": info, "version": f"{version}.0"}).encode())


def error_answer(exc: BaseException) -> Answer:
    """Json2Dispatcher.handle_error: serialize_exception(exc) with the exception's status."""
    if isinstance(exc, HTTPException):
        status, message, arguments = exc.code, exc.description, [exc.description, exc.code]
    else:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 500)
        message = "\n".join(str(a) for a in exc.args) if exc.args else str(exc)
        arguments = list(exc.args)
    body = {
        "name": f"{type(exc).__module__}.{type(exc).__name__}",
        "message": message,
        "arguments": arguments,
        "context": {},
        "debug": "".join(traceback.format_exception(exc)),
    }
    headers = {"WWW-Authenticate": "Bearer "} if status == 401 else {}
    return Answer(status, json.dumps(body, default=str).encode(), headers=headers)


class Json2Api:
    """``POST /json/2/<model>/<method>``; ``info`` learns the model, method and record count."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def call(self, path: str, headers: Mapping[str, str] | Message, body: bytes, info: CallInfo) -> Answer:
        db = headers.get("X-Odoo-Database")
        if db is not None and db != self.settings.db:
            return Answer(404, NOT_FOUND_PAGE.encode(), "text/html; charset=utf-8")
        try:
            result = self._call(path, headers, body, info)
        except Exception as exc:
            return error_answer(exc)
        if info.n_records is None and isinstance(result, list):
            info.n_records = len(result)
        return Answer(200, json.dumps(result, default=str).encode(), created=info.model_method == "create")

    def _call(self, path: str, headers: Mapping[str, str] | Message, body: bytes, info: CallInfo) -> Any:
        route = RPC.fullmatch(path)
        if route is None:
            raise NotFound("Did you mean POST /json/2/<model>/<method>?")
        model, method = route[1], route[2]
        info.model, info.model_method = model, method
        uid = self._authenticate(headers.get("Authorization"))
        params = _params(body)
        ids = orm._ids(params.pop("ids", []))
        if model == "res.users" and method == "context_get":  # the one method beyond the ORM's
            return {"lang": "en_US", "tz": False, "uid": uid}
        self._check_method(model, method, ids, params)
        info.n_records = len(ids) if method in orm.MULTI else _created(method, params)
        env = orm.Env(
            self.settings.store,
            uid,
            fail_record=self.settings.fail_record,
            fail_unlink=self.settings.fail_unlink,
            denied=frozenset(self.settings.deny_access),
        )
        with self.settings.store.lock:
            result = orm.call_kw(env, model, method, (ids,) if method in orm.MULTI else (), params)
        return [result] if method == "create" and isinstance(result, int) else result

    def _authenticate(self, header: str | None) -> int:
        """ir.http._auth_method_bearer: an API key of an active user (JSON-2 takes no passwords)."""
        match = BEARER.match(header or "")
        if match is None:
            raise Unauthorized("User not authenticated, use an API Key with a Bearer Authorization header.")
        settings = self.settings
        users = settings.store.tables["res.users"]
        uid = next((rid for rid, u in users.items() if u.get("login") == settings.login and u.get("active")), None)
        if uid is None or settings.reject_auth or match[1] not in settings.api_keys:
            raise Unauthorized("Invalid apikey")
        return uid

    def _check_method(self, model: str, method: str, ids: list[int], params: dict[str, Any]) -> None:
        """The controller's checks before the call: model, public method, ids, arguments."""
        if model not in self.settings.store.models:
            raise NotFound(f"the model {model!r} does not exist")
        if method.startswith("_"):
            raise errors.AccessError(f"Private methods (such as '{model}.{method}') cannot be called remotely.")
        cls = orm.CLASSES.get(model, orm.BaseModel)
        if method not in orm.PUBLIC or not hasattr(cls, method):
            raise NotFound(f"The method '{model}.{method}' does not exist")
        if method not in orm.MULTI and ids:
            raise UnprocessableEntity(f"cannot call {model}.{method} with ids")
        recs = cls(orm.Env(self.settings.store, 0), model)
        kwargs = {k: v for k, v in params.items() if k != "context"}
        try:
            inspect.signature(getattr(recs, method)).bind(*([ids] if method in orm.MULTI else []), **kwargs)
        except TypeError as exc:
            raise UnprocessableEntity(exc.args[0]) from exc


def _params(body: bytes) -> dict[str, Any]:
    """Json2Dispatcher.dispatch: the body's object (an empty or non-object body gives no arguments)."""
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"could not parse the body as json: {exc.args[0]}") from exc
    return dict(data) if isinstance(data, dict) else {}


def _created(method: str, params: dict[str, Any]) -> int | None:
    if method == "load":
        return len(params["data"]) if isinstance(params.get("data"), list) else None
    if method != "create":
        return None
    vals_list = params.get("vals_list")
    return 1 if isinstance(vals_list, dict) else len(vals_list) if isinstance(vals_list, list) else None
