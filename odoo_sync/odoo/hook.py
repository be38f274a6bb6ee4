"""OdooHook: Odoo's external API (XML-RPC, or JSON-2 on Odoo 19+), guarded, measured and audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from airflow.sdk import BaseHook
from airflow.sdk.log import mask_secret

from odoo_sync.errors import (
    ErrorClass,
    Failure,
    LoginRefused,
    OdooAuthError,
    OdooConfigError,
    OdooPermanentError,
    OdooRecordError,
    OdooRowsRefused,
    OdooSetupError,
    OdooSyncError,
    OdooTransientError,
    OdooVersionError,
    OdooWriteRefused,
    OdooWrongTenantError,
    RowsRefused,
    classify,
)
from odoo_sync.odoo import guard, lineage, load
from odoo_sync.odoo.client import OdooClient, OdooEndpoint, as_bool, base_url, major_version
from odoo_sync.odoo.json2 import APIS, make_client
from odoo_sync.odoo.models import ACCOUNT, LINE, PLAN
from odoo_sync.odoo.seams import SYSTEM_CLOCK, ClientFactory, Clock
from odoo_sync.odoo.throttle import TokenBucket
from odoo_sync.scrub import scrub_text
from odoo_sync.store.sync_log import CallResult, Entity, SyncLog

MIN_ODOO_VERSION = 17
WEB_SAVE_MULTI_FROM = 19  # the first Odoo whose web module has web_save_multi
MAX_RETRY_AFTER_S = 60.0
RATE_LIMIT_ATTEMPTS = 3
Check = Callable[[Any], "Mapping[int, str] | None"]  # reads an answer: raises on a refusal, returns rows undone


class OdooHook(BaseHook):
    """Talk to one tenant's Odoo: authenticate once, check the version once, log every call.

    :param odoo_conn_id: Airflow connection of type ``odoo``.
    :param tenant_id: the tenant named in errors and in ``sync_log`` (defaults to the connection id).
    :param sync_log: where each call's audit rows go; ``None`` only for UI connection tests.
    :param calls_per_second: client-side throttle; Odoo publishes no rate limit.
    :param checked_api: with ``checked_uid``, the API an earlier task chose (``api: auto`` decided once a run).
    :param checked_version: with ``checked_uid``, the ``server_version`` that task saw (how to write, by version).
    :param company_id: the company a tenant pinned in a multi-company Odoo: calls carry it as
        ``allowed_company_ids``, so defaults, record rules and searches are that company's.
    :param checked_uid: the uid an earlier task of the same run got after checking this server's version;
        given, the hook skips ``version`` and ``authenticate`` (~370 ms on a real Odoo). Every ``execute_kw``
        still carries the password or API key, so changed credentials fail at once as an auth error.
    :param client_factory: builds the wire client (default ``make_client``); tests, the bench and the health
        pinger pass their own to watch calls or shorten timeouts (``odoo_sync.odoo.seams``).
    :param clock: the throttle's and the Retry-After wait's time (default the system's).
    """

    conn_name_attr = "odoo_conn_id"
    default_conn_name = "odoo_default"
    conn_type = "odoo"
    hook_name = "Odoo"

    def __init__(
        self,
        odoo_conn_id: str = default_conn_name,
        *,
        tenant_id: str | None = None,
        sync_log: SyncLog | None = None,
        calls_per_second: float | None = None,
        checked_uid: int | None = None,
        checked_api: str | None = None,
        checked_version: str | None = None,
        company_id: int | None = None,
        client_factory: ClientFactory = make_client,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__()
        self.odoo_conn_id = odoo_conn_id
        self.tenant_id = tenant_id or odoo_conn_id
        self._for_tenant = tenant_id is not None  # the UI's Test button builds the hook without a tenant
        self.sync_log = sync_log
        self._bucket = TokenBucket(calls_per_second, None, clock.monotonic, clock.sleep) if calls_per_second else None
        self._client_factory = client_factory
        self._clock = clock
        self._client: OdooClient | None = None
        self._uid: int | None = None
        self._types: dict[str, dict[str, str]] = {}
        self._checked_uid = checked_uid
        self._checked_api = checked_api  # the protocol check_odoo settled on ("xmlrpc" / "json2")
        self._checked_version = checked_version  # the server_version check_odoo saw
        self._version: dict[str, Any] | None = None
        self._secret: str | None = None
        self.company_id = company_id  # set: every call runs in that company (allowed_company_ids)
        self.read_only = False  # a dry run: anything but a read is refused before it is sent

    # -- connection -------------------------------------------------------------------------------------
    def endpoint(self) -> OdooEndpoint:
        """Read the Airflow connection (URL, database, login, password or API key, extras)."""
        conn = self.get_connection(self.odoo_conn_id)
        extra = conn.extra_dejson
        expected_tenant = extra.get("tenant_id")
        if self._for_tenant and expected_tenant and expected_tenant != self.tenant_id:
            raise OdooWrongTenantError(
                f"tenant {self.tenant_id}: connection {self.odoo_conn_id!r} belongs to tenant "
                f"{expected_tenant!r}; a tenant's DAG may only use its own Odoo connection"
            )
        api = str(extra.get("api") or "auto").strip().lower()
        if api not in APIS:
            raise OdooConfigError(
                f"tenant {self.tenant_id}: connection {self.odoo_conn_id!r} has api {api!r}; use {', '.join(APIS)}"
            )
        self._secret = conn.password or ""
        for form in {self._secret, quote(self._secret, safe=""), quote_plus(self._secret)}:
            mask_secret(form)  # task logs show *** for the secret, raw or URL-encoded in a connection URI
        if self.sync_log is not None:
            self.sync_log.add_secret(self._secret)
        return OdooEndpoint(
            url=base_url(conn.host or "", conn.port, extra.get("protocol")),
            db=conn.schema or "",
            login=conn.login or "",
            secret=self._secret,
            timeout=float(extra.get("timeout") or 60),
            verify_tls=as_bool(extra.get("verify_tls", True)),
            api=api,
        )

    def get_conn(self) -> OdooClient:
        """Return the authenticated client, checking the version and logging in on first use."""
        if self._client is None and self._checked_uid is not None:
            self._client = self._client_factory(self.endpoint(), self._checked_api)
            self._uid = self._checked_uid
        if self._client is None or self._uid is None:
            client = self._client_factory(self.endpoint(), None)
            self._version = self._run(client, None, "version", client.version)
            self.check_version(self._version)
            uid = self._run(client, None, "authenticate", lambda: _logged_in(client))
            self._client, self._uid = client, uid
        return self._client  # type: ignore[return-value]

    @property
    def uid(self) -> int:
        """The authenticated user's id."""
        self.get_conn()
        assert self._uid is not None
        return self._uid

    @property
    def server_version(self) -> dict[str, Any]:
        """``common.version()`` of the server, fetched once."""
        self.get_conn()
        assert self._version is not None
        return self._version

    @property
    def major_version(self) -> int:
        """The server's major version: check_odoo's when it ran (no call), else from ``version``."""
        version = {"server_version": self._checked_version} if self._checked_version else self.server_version
        return major_version(version) or MIN_ODOO_VERSION

    @property
    def seen_version(self) -> dict[str, Any] | None:
        """The server's answer to ``version`` if one came, even when ``check_version`` then refused it."""
        return self._version

    def check_version(self, version: dict[str, Any]) -> None:
        """Refuse servers older than 17: they have a single analytic axis, not three plans."""
        major = major_version(version)
        if major is None or major < MIN_ODOO_VERSION:
            raise OdooVersionError(
                f"tenant {self.tenant_id}: Odoo {version.get('server_version', '?')} is not supported. "
                f"The sync writes one analytic account per plan (project, donor budget line, budget detail) "
                f"on each analytic line, which needs Odoo's multi-plan analytics of version 17 or newer; "
                f"Odoo 16 and older have one analytic axis. Upgrade Odoo or remove the tenant."
            )

    # -- calls ------------------------------------------------------------------------------------------
    def execute(
        self,
        model: str,
        method: str,
        args: list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
        *,
        entities: Sequence[Entity] = (),
        setup: bool = False,
        check: Check | None = None,
    ) -> Any:
        """Call ``model.method`` through ``execute_kw`` after the write guard; log one row per entity.

        ``setup=True`` additionally allows creating an analytic plan (the opt-in ``create_plans`` step).
        ``check`` reads an answer that carries errors as data (``load``): it raises if the answer is a refusal
        in disguise, and returns the entities (index -> why) the call left undone, logged as errors.
        """
        try:
            guard.check_call(model, method, args or [], setup=setup)
        except guard.WriteRefused as exc:
            raise OdooWriteRefused(f"tenant {self.tenant_id}: {exc}") from None
        if self.read_only and method not in guard.READ_METHODS:
            raise OdooWriteRefused(f"tenant {self.tenant_id}: dry run: {method} on {model} refused (reads only)")
        client = self.get_conn()
        uid = self._uid
        assert uid is not None
        if self.company_id is not None and "context" not in (kwargs or {}):
            kwargs = {**(kwargs or {}), "context": {"allowed_company_ids": [self.company_id]}}

        undone: dict[int, str] = {}

        def send() -> Any:
            undone.clear()
            answer = client.execute_kw(uid, model, method, list(args or []), dict(kwargs or {}), setup=setup)
            if check is not None:
                undone.update(check(answer) or {})
            return answer

        known_ids = _known_ids(method, args or [])
        result = self._run(client, model, method, send, entities, known_ids, undone)
        lineage.odoo_call(self, client.endpoint, model, method)  # a changed model is the task's output
        return result

    def search_read(
        self, model: str, domain: list[Any], fields: list[str], *, entities: Sequence[Entity] = (), **kwargs: Any
    ) -> list[dict[str, Any]]:
        """Read matching records (archived ones only if the domain mentions ``active``)."""
        result = self.execute(model, "search_read", [domain], {"fields": fields, **kwargs}, entities=entities)
        return result  # type: ignore[no-any-return]

    def search_count(self, model: str, domain: list[Any]) -> int:
        return int(self.execute(model, "search_count", [domain]))

    def fields_get(self, model: str, attributes: Sequence[str] = ("type", "relation", "required")) -> dict[str, Any]:
        return self.execute(model, "fields_get", [], {"attributes": list(attributes)})  # type: ignore[no-any-return]

    def read_group(self, model: str, domain: list[Any], fields: list[str], groupby: list[str]) -> list[dict[str, Any]]:
        return self.execute(model, "read_group", [domain, fields, groupby], {"lazy": False})  # type: ignore[no-any-return]

    def create_many(self, model: str, vals_list: list[dict[str, Any]], entities: Sequence[Entity]) -> list[int]:
        """Create records in one call (Odoo rolls the whole call back if one record fails)."""
        ids = self.execute(model, "create", [vals_list], entities=entities)
        return [int(i) for i in (ids if isinstance(ids, list) else [ids])]

    def write(self, model: str, ids: list[int], vals: dict[str, Any], entities: Sequence[Entity]) -> None:
        self.execute(model, "write", [ids, vals], entities=entities)

    def load_rows(
        self, model: str, ids: list[int], vals_list: list[dict[str, Any]], entities: Sequence[Entity]
    ) -> dict[int, str]:
        """Write values that differ per record in one call: Odoo's import API (``load``), updating by database id.

        Every dict has the same fields. A refusal writes no row and raises OdooRowsRefused naming the rows Odoo
        refused (index -1: the batch, no row named); the others may be sent again. Answered, it returns the rows
        Odoo skipped without writing them (index -> why); their sync_log rows say 'error'.
        """
        types = self._field_types(model)
        relations = {n for n in vals_list[0] if types.get(n) == "many2one"}
        columns, rows = load.request(ids, vals_list, relations)
        refused: dict[int, str] = {}
        skipped: dict[int, str] = {}

        def check(answer: Any) -> dict[int, str]:
            refused.update(load.refused_rows(answer, len(rows)))
            if refused:
                raise RowsRefused(refused)
            skipped.update(load.unwritten_rows(answer, ids))
            return skipped

        try:
            # active_test off: load looks each .id up with a search, which would call an archived record unknown
            context: dict[str, Any] = {"active_test": False}
            if self.company_id is not None:
                context["allowed_company_ids"] = [self.company_id]
            self.execute(model, "load", [columns, rows], {"context": context}, entities=entities, check=check)
        except OdooRecordError as exc:
            raise OdooRowsRefused(str(exc), rows=refused, error_class=exc.error_class) from None
        return skipped

    def per_record_method(self, model: str, account: int | None) -> str:
        """How this server writes values that differ per record, fastest first (bench/write_methods.py, 2,000
        analytic lines, ms a line): Odoo 19 ``web_save_multi`` 0.87 (``load`` 4.79, create 1.44); Odoo 17 and
        18 UPDATE commands through the lines' account 1.06 (``load`` 1.86, create 0.69); ``load`` otherwise."""
        if self.major_version >= WEB_SAVE_MULTI_FROM:
            return "web_save_multi"
        return "through_account" if model == LINE and account else "load"

    def web_save_multi(
        self, model: str, ids: list[int], vals_list: list[dict[str, Any]], entities: Sequence[Entity]
    ) -> None:
        """Odoo 19+: each record written with its own values in one call, all or nothing (a refusal names no
        record: the writer halves the batch). The answer lists the records written: all of them, or it raises."""

        def check(answer: Any) -> None:
            if not isinstance(answer, list) or len(answer) != len(ids):
                raise OdooRecordError(f"web_save_multi did not answer one record for each of the {len(ids)} sent")

        self.execute(model, "web_save_multi", [ids, vals_list, {}], entities=entities, check=check)

    def write_lines_through(
        self, account_id: int, ids: list[int], vals_list: list[dict[str, Any]], entities: Sequence[Entity]
    ) -> None:
        """Write values that differ per analytic line in one call: UPDATE commands through an analytic account's
        ``line_ids``. Odoo's One2many writes each line by id, whichever account it is on, and leaves it there
        (``fields.One2many.write_real`` on 17 and 18; tests/contract/test_per_record_writes.py); all or nothing.

        On Odoo 17, 2,000 lines: 1.06 ms a line, against 1.86 for ``load`` and 0.69 to create them; 3,000 lines
        spread over 1,000 accounts: 1.3 ms a line through one account, 11 through each line's own. A refusal
        names no row: the writer halves the batch until the refused line stands alone.
        """
        commands = [(guard.UPDATE, i, v) for i, v in zip(ids, vals_list, strict=True)]
        self.execute(ACCOUNT, "write", [[account_id], {"line_ids": commands}], entities=entities)
        lineage.odoo_call(self, self.get_conn().endpoint, LINE, "write")  # the lines are what changed

    def _field_types(self, model: str) -> dict[str, str]:
        """Field types of ``model`` (one ``fields_get`` per model and hook)."""
        if model not in self._types:
            described = self.fields_get(model, ("type",))
            self._types[model] = {name: str(attrs.get("type")) for name, attrs in described.items()}
        return self._types[model]

    def unlink(self, model: str, ids: list[int], entities: Sequence[Entity]) -> None:
        self.execute(model, "unlink", [ids], entities=entities)

    def root_plans(self) -> dict[str, int]:
        """Root analytic plans by name; reading them is the check that analytic accounting is on for the user."""
        try:
            rows = self.search_read(PLAN, [("parent_id", "=", False)], ["id", "name"], order="id")
        except OdooPermanentError as exc:
            if exc.error_class != ErrorClass.ACCESS:
                raise
            raise OdooSetupError(
                f"tenant {self.tenant_id}: the Odoo user cannot read analytic plans. In Odoo, enable "
                f"Accounting > Settings > Analytic Accounting and give the integration user that group.",
                error_class=ErrorClass.ACCESS,
            ) from None
        return {str(r["name"]): int(r["id"]) for r in rows}

    def test_connection(self) -> tuple[bool, str]:
        """Back the UI's Test button: version, login, API used, and read access to analytic plans."""
        try:
            version = self.server_version.get("server_version", "?")
            where = f"Odoo {version} over {self.get_conn().api_name}"
            self.root_plans()
        except OdooSetupError:
            return False, f"{where}: logged in, but analytic accounting is off for this user"
        except Exception as exc:
            return False, scrub_text(str(exc), [self._secret or ""]) or "failed"
        return True, f"{where}: logged in as uid {self._uid}, analytic plans readable"

    # -- the one path every call takes ------------------------------------------------------------------
    def _run(
        self,
        client: OdooClient,
        model: str | None,
        method: str,
        send: Callable[[], Any],
        entities: Sequence[Entity] = (),
        known_ids: Sequence[int] = (),
        undone: Mapping[int, str] | None = None,
    ) -> Any:
        for attempt in range(1, RATE_LIMIT_ATTEMPTS + 1):
            if self._bucket is not None:
                self._bucket.take()
            try:
                result = send()
            except Exception as exc:
                failure = classify(exc)
            else:
                ids = _ids_of(method, result, entities) or known_ids
                self._audit(client, model, method, entities, "ok", None, ids, undone)
                return result
            # Raised outside the except block: the server's unscrubbed text must not ride along as __context__.
            self._audit(client, model, method, entities, "error", failure.text, known_ids)
            if failure.retry_after is not None and attempt < RATE_LIMIT_ATTEMPTS:
                self._clock.sleep(min(failure.retry_after, MAX_RETRY_AFTER_S))
                continue
            raise self._to_airflow_error(failure, model, method, entities)
        raise AssertionError("unreachable")  # pragma: no cover

    def _audit(
        self,
        client: OdooClient,
        model: str | None,
        method: str,
        entities: Sequence[Entity],
        outcome: str,
        error: str | None,
        odoo_ids: Sequence[int | None] = (),
        undone: Mapping[int, str] | None = None,
    ) -> None:
        if self.sync_log is None:
            return
        stats = client.last_stats
        call = CallResult(
            model=model,
            method=method,
            http_status=stats.http_status,
            response_bytes=stats.response_bytes,
            latency_ms=stats.latency_ms,
            outcome=outcome,
            error=error,
            call_id=uuid.uuid4(),
        )
        self.sync_log.record(call, entities, odoo_ids, errors=undone)

    def _to_airflow_error(
        self, failure: Failure, model: str | None, method: str, entities: Sequence[Entity]
    ) -> OdooSyncError:
        where = f"{model}.{method}" if model else method
        message = str(
            scrub_text(
                f"tenant {self.tenant_id}: {where} failed{_keys_phrase(entities)}: {failure.text}",
                [self._secret or ""],
            )
        )
        mutating, error_class = method in guard.MUTATING_METHODS, failure.error_class
        if failure.kind == "auth":
            return OdooAuthError(f"{message} (check the login and password or API key of {self.odoo_conn_id!r})")
        if failure.kind == "transient":
            in_doubt = mutating and error_class != ErrorClass.RATE_LIMITED
            return OdooTransientError(
                message, error_class=error_class, retry_after=failure.retry_after, in_doubt=in_doubt
            )
        if mutating and error_class in _RECORD_REFUSALS.get(method, _REFUSED_RECORDS):
            return OdooRecordError(message, error_class=error_class)
        return OdooPermanentError(message, error_class=error_class)


# Refusals that are the records' (the writer isolates them and goes on), not the tenant's: bad values and
# constraints; on unlink also access errors, which is how a record rule or a validated timesheet refuses one
# record (a user without the right to delete at all then has every record refused, one by one).
_REFUSED_RECORDS = frozenset({ErrorClass.VALIDATION, ErrorClass.SERVER})
_RECORD_REFUSALS = {"unlink": _REFUSED_RECORDS | {ErrorClass.ACCESS}}


def _logged_in(client: OdooClient) -> int:
    """Odoo answers a refused login with False, not a Fault: make it an auth failure like any other."""
    uid = client.authenticate()
    if not uid:
        raise LoginRefused(
            f"Odoo refused the login {client.endpoint.login!r} on database {client.endpoint.db!r}: "
            f"wrong login or API key"
        )
    return int(uid)


def _known_ids(method: str, args: list[Any]) -> list[int]:
    """The ids a call names before it is sent (logged even when the call fails)."""
    if method == "write" and len(args) > 1 and isinstance(args[1], dict) and "line_ids" in args[1]:
        return [int(command[1]) for command in args[1]["line_ids"]]  # the lines written, not their account
    if method in ("write", "unlink", "web_save_multi") and args:
        return list(args[0])
    if method == "load" and len(args) > 1:
        return [int(row[0]) for row in args[1]]
    return []


def _ids_of(method: str, result: Any, entities: Sequence[Entity]) -> list[int | None]:
    if method == "create" and isinstance(result, list) and len(result) == len(entities):
        return [int(i) for i in result]
    return []


def _keys_phrase(entities: Sequence[Entity]) -> str:
    keys = [e.idempotency_key or f"{e.entity_type}:{e.entity_id}" for e in entities]
    if not keys:
        return ""
    more = f" (+{len(keys) - 1} more in the batch)" if len(keys) > 1 else ""
    return f" for key {keys[0]}{more}"
