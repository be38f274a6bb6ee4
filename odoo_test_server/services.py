"""The three XML-RPC services of Odoo 17 (odoo/service/common.py, db.py, model.py), in their order of checks:

object: parse (db, int(uid), password) -> database exists -> user exists -> credentials -> execute/execute_kw
-> private method -> model exists -> method exists -> call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from odoo_test_server import errors, orm, seed
from odoo_test_server.store import Store


@dataclass
class CallInfo:
    """Filled in while a call runs, read by the server for its statistics (also when the call fails)."""

    model: str | None = None
    model_method: str | None = None
    n_records: int | None = None


class Settings(Protocol):
    """What the services read from the server object (all may change while serving)."""

    db: str
    login: str
    password: str
    api_keys: tuple[str, ...]
    version: int
    reject_auth: bool
    fail_record: Callable[[str, dict[str, Any]], str | None] | None
    fail_unlink: Callable[[str, dict[str, Any]], str | Exception | None] | None
    deny_access: set[str]
    store: Store


def version_info(version: int) -> dict[str, Any]:
    if version >= 18:
        return dict(seed.recorded_state(version)["version"])
    return {
        "server_version": f"{version}.0",
        "server_version_info": [version, 0, 0, "final", 0, ""],
        "server_serie": f"{version}.0",
        "protocol_version": 1,
    }


class Services:
    """Dispatches one decoded XML-RPC call; ``info`` learns the model, method and record count."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def dispatch(self, service: str, method: str, params: tuple[Any, ...], info: CallInfo) -> Any:
        handler = {"common": self._common, "db": self._db, "object": self._object}[service]
        return handler(method, params, info)

    # -- common ------------------------------------------------------------------------------------------
    def _common(self, method: str, params: tuple[Any, ...], info: CallInfo) -> Any:
        function = getattr(self, f"exp_{method}", None)
        if function is None:
            raise Exception(f"Method not found: {method}")
        return function(*params)

    def exp_version(self) -> dict[str, Any]:
        return version_info(self.settings.version)

    def exp_login(self, db: str, login: str, password: str) -> Any:
        return self.exp_authenticate(db, login, password, None)

    def exp_authenticate(self, db: str, login: str, password: str, user_agent_env: Any) -> Any:
        self._check_db(db)
        _ = {**(user_agent_env or {}), "interactive": False}
        uid = self._uid_for(login)
        if uid is None or self.settings.reject_auth or not self._secret_ok(password):
            return False
        return uid

    # -- db ----------------------------------------------------------------------------------------------
    def _db(self, method: str, params: tuple[Any, ...], info: CallInfo) -> Any:
        if method != "server_version":  # the one db method anything calls; Odoo has more
            raise NotImplementedError(f"odoo_test_server: db.{method} is not modelled")
        return version_info(self.settings.version)["server_version"]

    # -- object ------------------------------------------------------------------------------------------
    def _object(self, method: str, params: tuple[Any, ...], info: CallInfo) -> Any:
        if self.settings.version >= 19 and len(params) < 5:  # db, uid, password, model, method, *args = params
            raise ValueError(f"not enough values to unpack (expected at least 5, got {len(params)})")
        db, uid, password = params[0], int(params[1]), params[2]
        self._security_check(db, uid, password)
        if method == "execute":
            return self.execute(info, uid, *params[3:])
        if method == "execute_kw":
            return self.execute_kw(info, uid, *params[3:])
        raise NameError(f"Method not available {method}")

    def execute_kw(self, info: CallInfo, uid: int, obj: str, method: str, args: Any, kw: Any = None) -> Any:
        return self.execute(info, uid, obj, method, *args, **kw or {})

    def execute(self, info: CallInfo, uid: int, obj: str, method: str, *args: Any, **kw: Any) -> Any:
        settings = self.settings
        info.model, info.model_method = obj, method
        info.n_records = _records_in(method, args, kw)
        env = orm.Env(
            settings.store,
            uid,
            fail_record=settings.fail_record,
            fail_unlink=settings.fail_unlink,
            denied=frozenset(settings.deny_access),
        )
        with settings.store.lock:
            result = orm.call_kw(env, obj, method, args, kw)
        if info.n_records is None and isinstance(result, list):
            info.n_records = len(result)
        return result

    # -- security ----------------------------------------------------------------------------------------
    def _check_db(self, db: Any) -> None:
        if db != self.settings.db:
            raise errors.db_missing(str(db))

    def _uid_for(self, login: Any) -> int | None:
        for rid, user in self.settings.store.tables["res.users"].items():
            if user.get("login") == login and user.get("active"):
                return rid
        return None

    def _secret_ok(self, secret: Any) -> bool:
        return secret == self.settings.password or secret in self.settings.api_keys

    def _security_check(self, db: Any, uid: int, password: Any) -> None:
        """odoo.service.security.check -> res.users.check."""
        self._check_db(db)
        user = self.settings.store.tables["res.users"].get(uid)
        if user is None:
            raise errors.missing_records("res.users", [uid], uid)
        if not user.get("active") or self.settings.reject_auth or not self._secret_ok(password):
            raise errors.AccessDenied()


def _records_in(method: str, args: tuple[Any, ...], kw: dict[str, Any]) -> int | None:
    """How many records a create/write/... carries (None: counted from the result)."""
    if method == "load":
        data = args[1] if len(args) > 1 else kw.get("data")
        return len(data) if isinstance(data, list) else None
    first = args[0] if args else kw.get("vals_list") if method == "create" else None
    if method == "create":
        return 1 if isinstance(first, dict) else len(first) if isinstance(first, list) else None
    vals = args[1] if method == "write" and len(args) > 1 else kw.get("vals")
    commands = [v for v in vals.values() if isinstance(v, list)] if isinstance(vals, dict) else []
    if commands:  # an account's lines written by UPDATE commands: the lines are the records
        return sum(len(c) for c in commands)
    if method in orm.MULTI:
        if isinstance(first, int) and not isinstance(first, bool):
            return 1
        return len(first) if isinstance(first, list) else 0
    return None
