"""The seam to Odoo's external API: XML-RPC here, Odoo 19's JSON-2 in ``odoo_sync.odoo.json2``."""

from __future__ import annotations

import re
import xmlrpc.client
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

from odoo_sync.odoo import guard
from odoo_sync.odoo.transport import CallStats, MeasuredTransport


@dataclass(frozen=True, slots=True)
class OdooEndpoint:
    """Where and as whom to talk to one tenant's Odoo. ``secret`` is a password or an API key."""

    url: str
    db: str
    login: str
    secret: str
    timeout: float = 60.0
    verify_tls: bool = True
    api: str = "auto"  # auto | xmlrpc | json2 (odoo_sync.odoo.json2.make_client)

    def __repr__(self) -> str:  # never print the secret
        return f"OdooEndpoint(url={self.url!r}, db={self.db!r}, login={self.login!r})"


class OdooClient(Protocol):
    """What the hook needs from a wire protocol."""

    endpoint: OdooEndpoint

    @property
    def api_name(self) -> str: ...

    @property
    def last_stats(self) -> CallStats: ...

    def version(self) -> dict[str, Any]: ...

    def authenticate(self) -> int | bool: ...

    def execute_kw(
        self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any], *, setup: bool = False
    ) -> Any: ...


def none_to_false(value: Any) -> Any:
    """Odoo runs XML-RPC without allow_none: empty values travel as False."""
    if value is None:
        return False
    if isinstance(value, dict):
        return {k: none_to_false(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [none_to_false(v) for v in value]
    return value


class XmlRpcClient:
    """Odoo's documented external API: /xmlrpc/2/common and /xmlrpc/2/object."""

    api_name = "XML-RPC"

    def __init__(self, endpoint: OdooEndpoint) -> None:
        self.endpoint = endpoint
        base = endpoint.url.rstrip("/")
        self._transport = MeasuredTransport(
            https=urlsplit(base).scheme == "https", timeout=endpoint.timeout, verify_tls=endpoint.verify_tls
        )
        self._common = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common", transport=self._transport)
        self._object = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object", transport=self._transport)

    @property
    def last_stats(self) -> CallStats:
        return self._transport.last_stats

    def version(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._common.version())

    def authenticate(self) -> int | bool:
        ep = self.endpoint
        return cast(int | bool, self._common.authenticate(ep.db, ep.login, ep.secret, {}))

    def execute_kw(
        self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any], *, setup: bool = False
    ) -> Any:
        """The one way to reach /object: the write guard sits here too, so no caller can go around it."""
        guard.check_call(model, method, args, setup=setup)
        ep = self.endpoint
        return self._object.execute_kw(ep.db, uid, ep.secret, model, method, none_to_false(args), none_to_false(kwargs))


def major_version(version: dict[str, Any]) -> int | None:
    """First number of ``server_version_info`` (or of ``server_version``, e.g. 'saas~17.2')."""
    info = version.get("server_version_info") or []
    head = str(info[0]) if info else str(version.get("server_version", ""))
    match = re.search(r"\d+", head)
    return int(match.group()) if match else None


def base_url(host: str, port: int | None, protocol: str | None) -> str:
    """The server's root URL from a connection's host (with or without scheme), port and protocol extra."""
    if "://" not in host:
        host = f"{protocol or 'https'}://{host}"
    if port and host.count(":") < 2:
        host = f"{host.rstrip('/')}:{port}"
    return host.rstrip("/")


def as_bool(value: Any) -> bool:
    """Connection extras arrive as JSON booleans or as strings typed in a form."""
    return value if isinstance(value, bool) else str(value).strip().lower() not in {"false", "0", "no", "off"}
