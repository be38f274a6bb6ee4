"""Odoo 19's JSON-2 API behind the client seam: ``POST /json/2/<model>/<method>`` with an API key.

Facts from a real Odoo 19 (``shared/odoo19/json2.json``) and its source (``addons/rpc/controllers``): the body
holds the method's arguments by name (record ids in ``ids``); success is HTTP 200 with the bare result; an
error is a status (401 key, 403 access, 404 missing record or model, 422 validation, 500 server) with a body
``{name, message, arguments, context, debug}`` whose ``debug`` is a whole traceback. ``GET /json/version``
answers the version without a login. A bearer token must be an API key: a password is "Invalid apikey".
"""

from __future__ import annotations

import functools
import http.cookiejar
import json
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from odoo_sync.errors import Json2Error, retry_after_seconds
from odoo_sync.odoo import guard
from odoo_sync.odoo.client import OdooClient, OdooEndpoint, XmlRpcClient, major_version, none_to_false
from odoo_sync.odoo.models import USER
from odoo_sync.odoo.transport import CallStats

# execute_kw's positional arguments by name, per method (Odoo 19's signatures); "ids" are the records.
POSITIONAL: dict[str, tuple[str, ...]] = {
    "search": ("domain", "offset", "limit", "order"),
    "search_count": ("domain", "limit"),
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "read": ("ids", "fields", "load"),
    "fields_get": ("allfields", "attributes"),
    "create": ("vals_list",),
    "write": ("ids", "vals"),
    "unlink": ("ids",),
    "load": ("fields", "data"),
    "web_save_multi": ("ids", "vals_list", "specification"),
    "check_access_rights": ("operation", "raise_exception"),
    "read_group": ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
    "formatted_read_group": ("domain", "groupby", "aggregates", "having", "offset", "limit", "order"),
    "name_search": ("name", "domain", "operator", "limit"),
    "default_get": ("fields",),
    "get_param": ("key", "default"),
}
USER_AGENT = "togrant-odoo-sync (JSON-2)"
JSON2_FROM = 19  # the first Odoo with the JSON-2 API
TRY_LATER = frozenset({429, 502, 503, 504})  # answers that say nothing about the server behind
NO_JSON2 = (
    "GET /json/version gave no version: this server has no JSON-2 API (Odoo 19 or newer); "
    "set the connection's api to xmlrpc or auto"
)
# A bearer token goes in an HTTP header: printable ASCII, no space at either end (Odoo's keys are 40 hex digits).
# Any other secret (a password with an accent, a key pasted with a trailing space) is no API key: it is refused
# as Odoo refuses a wrong key, before anything is sent, so ``auto`` hands it to XML-RPC and no HTTP library's
# error (UnicodeEncodeError, h11's "Illegal header value b'bearer ...'") carries the secret.
NOT_A_KEY = "Invalid apikey (not sent: an API key is printable ASCII with no space at its ends)"


def named_args(method: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The JSON-2 body for ``execute_kw(model, method, args, kwargs)``: positional arguments by name."""
    names = POSITIONAL.get(method, ())
    if len(args) > len(names):
        raise TypeError(f"JSON-2 takes named arguments: pass {method}'s arguments after the first {len(names)} by name")
    body = dict(zip(names, args, strict=False))
    if clash := sorted(body.keys() & kwargs.keys()):
        raise TypeError(f"{method}() got multiple values for {', '.join(clash)}")
    body.update(kwargs)
    if "ids" in body:
        body["ids"] = _as_ids(body["ids"])
    if method == "create" and isinstance(body.get("vals_list"), dict):
        body["vals_list"] = [body["vals_list"]]
    return none_to_false(body)  # type: ignore[no-any-return]  # the values XML-RPC sends


def _as_ids(value: Any) -> list[int]:
    if value is False or value is None:
        return []
    return [value] if isinstance(value, int) else list(value)


def error_from(status: int, body: bytes, headers: httpx.Headers, reason: str = "") -> Json2Error:
    """A Json2Error from an error answer: Odoo's ``name`` and ``message`` kept, ``debug`` never read."""
    retry_after = retry_after_seconds(headers.get("Retry-After")) if status == 429 else None
    name, message = None, reason or "error"
    if "json" in headers.get("Content-Type", ""):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            name, message = str(data.get("name") or "") or None, data["message"]
    return Json2Error(status, message, name=name, retry_after=retry_after)


def version_from(data: Any) -> dict[str, Any] | None:
    """``GET /json/version``'s ``{version, version_info}`` in ``common.version()``'s shape (None: not that)."""
    if not isinstance(data, dict) or not isinstance(data.get("version_info"), list) or not data["version_info"]:
        return None
    info = data["version_info"]
    serie = f"{info[0]}.{info[1]}" if len(info) > 1 else str(info[0])
    return {"server_version": str(data.get("version") or serie), "server_version_info": info, "server_serie": serie}


def _json(response: httpx.Response) -> tuple[bool, Any]:
    """(True, value) for a JSON body; (False, None) otherwise, with no parser error (it quotes the body)."""
    try:
        return True, response.json()
    except ValueError:
        return False, None


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """JSON-2 is stateless; a session cookie sent back beside X-Odoo-Database is refused (403)."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


class Json2Client:
    """Odoo 19's JSON-2 API over httpx: one attempt per call, a timeout, TLS verification, per-call stats.

    httpx never resends a request it has started to send, and ``retries=0`` turns off its one retry (of a
    failed connection attempt), so a create Odoo may have committed is never repeated here: a dropped answer
    surfaces as a ConnectionError, in doubt, and the ledger's read-back decides.
    """

    api_name = "JSON-2"

    def __init__(self, endpoint: OdooEndpoint) -> None:
        self.endpoint = endpoint
        self._base = endpoint.url.rstrip("/")
        # https: the system's CAs (as XML-RPC), unverified only when the connection says verify_tls: false;
        # http uses no TLS, so no CA store is loaded for it.
        https = urlsplit(self._base).scheme == "https"
        verify = _system_tls() if https and endpoint.verify_tls else False
        self._http = httpx.Client(
            transport=httpx.HTTPTransport(verify=verify, retries=0, trust_env=False),
            timeout=httpx.Timeout(endpoint.timeout),
            follow_redirects=False,
            trust_env=False,  # no proxies or .netrc from the environment, like the XML-RPC transport
            cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
        )
        self._headers = {"Authorization": f"bearer {endpoint.secret}", "User-Agent": USER_AGENT}
        self._sendable_key = _header_safe(endpoint.secret)
        if endpoint.db:
            self._headers["X-Odoo-Database"] = endpoint.db
        self.last_stats = CallStats(None, 0, 0.0)

    def version(self) -> dict[str, Any]:
        """``GET /json/version`` (no login; Odoo 19+): the version in ``common.version()``'s shape."""
        try:
            response = self._send("GET", "/json/version", None, {"User-Agent": USER_AGENT})
        except Json2Error as exc:
            if exc.status in TRY_LATER:
                raise
            status = exc.status
        else:
            ok, data = _json(response)
            if ok and (version := version_from(data)):
                return version
            status = response.status_code
        raise Json2Error(status, NO_JSON2)

    def authenticate(self) -> int | bool:
        """The API key's user id (``res.users.context_get``); False when Odoo refuses the key (401)."""
        try:
            context = self._post(USER, "context_get", {})
        except Json2Error as exc:
            if exc.status == 401:
                return False
            raise
        return int(context["uid"])

    def execute_kw(
        self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any], *, setup: bool = False
    ) -> Any:
        """Call ``model.method`` after the write guard; ``uid`` is unused: the API key names the user."""
        guard.check_call(model, method, args, setup=setup)
        body = named_args(method, args, kwargs)
        result = self._post(model, method, body)
        if method == "create" and args and isinstance(args[0], dict) and isinstance(result, list) and result:
            return result[0]  # create(dict) answers an id over XML-RPC: keep the seam's answers alike
        return result

    def close(self) -> None:
        self._http.close()

    def _post(self, model: str, method: str, body: dict[str, Any]) -> Any:
        if not self._sendable_key:
            self.last_stats = CallStats(None, 0, 0.0)
            raise Json2Error(401, NOT_A_KEY)
        headers = {**self._headers, "Content-Type": "application/json"}
        response = self._send("POST", f"/json/2/{model}/{method}", json.dumps(body).encode(), headers)
        ok, result = _json(response)
        if not ok:
            raise Json2Error(response.status_code, "the answer is not JSON")
        return result

    def _send(self, verb: str, path: str, content: bytes | None, headers: dict[str, str]) -> httpx.Response:
        """One round trip, measured; HTTP errors become Json2Error, transport failures stdlib errors."""
        started = time.perf_counter()
        try:
            response = self._http.request(verb, self._base + path, content=content, headers=headers)
        except httpx.HTTPError as exc:
            self.last_stats = CallStats(None, 0, _ms_since(started))
            failure = _stdlib_error(exc, self.endpoint.timeout)
        else:
            self.last_stats = CallStats(response.status_code, response.num_bytes_downloaded, _ms_since(started))
            if response.status_code == 200:
                return response
            failure = error_from(response.status_code, response.content, response.headers, response.reason_phrase)
        raise failure  # outside the except block: nothing of the request rides along as __context__


def _stdlib_error(exc: httpx.HTTPError, timeout: float) -> Exception:
    """The errors classify() knows: a timeout, a refused or dropped connection, a rejected certificate."""
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutError(f"no answer within {timeout:g} s ({type(exc).__name__})")
    cause: BaseException | None = exc
    for _ in range(4):  # httpx wraps httpcore's error, which wraps ssl's
        if cause is None or isinstance(cause, ssl.SSLCertVerificationError):
            break
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return cause
    if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
        return ConnectionError(f"{type(exc).__name__}: {exc}")
    return exc


def _header_safe(secret: str) -> bool:
    """Can ``secret`` travel as ``Authorization: bearer <secret>``: printable ASCII, no space at its ends."""
    return secret.isascii() and secret.isprintable() and secret == secret.strip()


@functools.cache
def _system_tls() -> ssl.SSLContext:
    """One verifying context per process: loading the CA store costs ~25 ms, a health round has many tenants."""
    return ssl.create_default_context()


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 3)


class AutoClient:
    """``api: auto``: JSON-2 when the server is Odoo 19 or newer and takes the secret as an API key, else XML-RPC.

    One cannot tell an API key from a password by looking, so the server decides, in the hook's order of calls:

    1. ``version()``: ``GET /json/version`` (Odoo 19's rpc addon: no login, not deprecated). A version of 19 or
       more makes JSON-2 the candidate. Any other answer (404 on 17, a redirect or a page on 18) means XML-RPC,
       and ``common.version()`` answers. A refused connection, a timeout, a 429, 502, 503 or 504 is raised.
    2. ``authenticate()``: the candidate resolves the uid with ``res.users.context_get``. A 401 ("Invalid apikey":
       JSON-2 takes no passwords) hands over to XML-RPC, which logs in with the same secret. A 401 ran nothing.

    Asked to call before deciding (the hook skips both steps when an earlier task passed the uid on), it takes
    both steps first. On Odoo 19 a password keeps working, over the deprecated XML-RPC.
    """

    def __init__(self, endpoint: OdooEndpoint) -> None:
        self.endpoint = endpoint
        self._json2 = Json2Client(endpoint)
        self._xmlrpc = XmlRpcClient(endpoint)
        self._last: OdooClient = self._json2
        self._chosen: OdooClient | None = None
        self._candidate: OdooClient | None = None

    @property
    def api_name(self) -> str:
        return (self._chosen or self._candidate or self._xmlrpc).api_name

    @property
    def last_stats(self) -> CallStats:
        return self._last.last_stats

    def version(self) -> dict[str, Any]:
        self._last = self._json2
        try:
            version = self._json2.version()
        except Json2Error as exc:
            if exc.status in TRY_LATER:
                raise
        else:
            if (major_version(version) or 0) >= JSON2_FROM:
                self._candidate = self._json2
                return version
        self._chosen = self._last = self._xmlrpc
        return self._xmlrpc.version()

    def authenticate(self) -> int | bool:
        if self._chosen is None and self._candidate is None:
            self.version()
        if self._chosen is None:
            self._last = self._json2
            uid = self._json2.authenticate()
            if uid:
                self._chosen = self._json2
                return uid
            self._chosen = self._xmlrpc
        self._last = self._chosen
        return self._chosen.authenticate()

    def execute_kw(
        self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any], *, setup: bool = False
    ) -> Any:
        if self._chosen is None:
            self.authenticate()
        assert self._chosen is not None
        self._last = self._chosen
        return self._chosen.execute_kw(uid, model, method, args, kwargs, setup=setup)


_CLIENTS: dict[str, type[AutoClient | XmlRpcClient | Json2Client]] = {
    "auto": AutoClient,
    "xmlrpc": XmlRpcClient,
    "json2": Json2Client,
}
APIS = tuple(_CLIENTS)


def make_client(endpoint: OdooEndpoint, api: str | None = None) -> OdooClient:
    """The client for ``api`` (``auto``, ``xmlrpc`` or ``json2``; by default the endpoint's)."""
    choice = (api or endpoint.api).strip().lower()
    if choice not in _CLIENTS:
        raise ValueError(f"unknown api {choice!r}: use one of {', '.join(APIS)}")
    return _CLIENTS[choice](endpoint)


def api_of(hook: Any) -> str:
    """The ``api`` value naming the protocol a logged-in hook uses (what ``auto`` settled on)."""
    return "json2" if hook.get_conn().api_name == Json2Client.api_name else "xmlrpc"
