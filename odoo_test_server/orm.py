"""The public model methods reachable over XML-RPC, with Odoo 17's signatures (so a wrong argument fails the
way it does in Odoo: ``TypeError: BaseModel.search() got an unexpected keyword argument 'count'``)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from odoo_test_server import errors, load, readgroup, versions
from odoo_test_server.computed import Reader
from odoo_test_server.domain import is_false, normalize
from odoo_test_server.store import Store

LOG = logging.getLogger("odoo.models")
PRIVATE = re.compile(r"^(_.*|init)$")
MULTI = frozenset({"read", "write", "unlink", "check_access_rule", "web_save_multi"})
OPERATIONS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}


@dataclass
class Env:
    """One call's environment: the store, the user, the context and the server's test switches."""

    store: Store
    uid: int
    context: dict[str, Any] = field(default_factory=dict)
    fail_record: Callable[[str, dict[str, Any]], str | None] | None = None
    fail_unlink: Callable[[str, dict[str, Any]], str | Exception | None] | None = None
    denied: frozenset[str] = frozenset()

    @property
    def active_test(self) -> bool:
        return bool(self.context.get("active_test", True))


def access_error(model: str, description: str, operation: str) -> errors.AccessError:
    return errors.AccessError(
        f"You are not allowed to {OPERATIONS.get(operation, operation)} '{description}' ({model}) "
        "records.\n\n"
        "This operation is allowed for the following groups:\n\t- Accounting/Analytic Accounting\n\n"
        "Contact your administrator to request access if necessary."
    )


def _ids(value: Any) -> list[int]:
    """``browse(ids)``: False/empty -> no record, an int -> one record, a list -> those records."""
    if not value:
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if not isinstance(value, (list, tuple)) or not all(type(v) is int for v in value):
        raise ValueError(f"Invalid ids {value!r}")
    return list(value)


class BaseModel:
    """Model methods of Odoo 17 callable through ``execute_kw``."""

    def __init__(self, env: Env, name: str) -> None:
        self.env = env
        self._name = name
        self._store = env.store

    def _check(self, operation: str) -> None:
        if self._name in self.env.denied:
            raise access_error(self._name, self._store.model_def(self._name).description, operation)

    def _fields_to_read(self, fields: Any, empty: bool = False) -> list[str]:
        """The fields to read. An unknown one is a ValueError; with no records to read (``read([])``, or
        ``search_read`` on a trivially false domain) Odoo 17 never fetches and fails later, in
        ``_read_format``, with a bare ``KeyError: 'name'``."""
        known = self._store.fields(self._name)
        if not fields:
            return [name for name in known if name != "id"]
        if isinstance(fields, str):
            fields = [fields]
        for name in fields:
            if name not in known:
                version = self._store.version
                if empty and version < 19:
                    raise KeyError(name)
                raise ValueError(versions.text(version, "invalid_field_read", field=name, model=self._name))
        return [name for name in dict.fromkeys(fields) if name != "id"]

    def _read_format(self, ids: list[int], names: list[str], load: Any = "_classic_read") -> list[dict[str, Any]]:
        table = self._store.tables[self._name]
        recs = [table[i] for i in ids if i in table]
        return Reader(self._store, self._name, load).rows(recs, names)

    # -- @api.model ----------------------------------------------------------------------------------------
    def search(self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None) -> list[int]:
        self._check("read")
        return self._store.search(
            self._name, domain, active_test=self.env.active_test, order=order, offset=offset, limit=limit
        )

    def search_count(self, domain: Any, limit: int | None = None) -> int:
        self._check("read")
        count = len(self._store.matching(self._name, domain, self.env.active_test))
        return min(count, int(limit)) if limit else count

    def search_read(
        self,
        domain: Any = None,
        fields: Any = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **read_kwargs: Any,
    ) -> list[dict[str, Any]]:
        self._check("read")
        names = self._fields_to_read(fields, empty=is_false(normalize(domain or [])))
        ids = self._store.search(
            self._name,
            domain or [],
            active_test=self.env.active_test,
            order=order,
            offset=offset,
            limit=limit,
        )
        return self._read_format(ids, names, **read_kwargs) if ids else []

    def read_group(
        self,
        domain: Any,
        fields: Any,
        groupby: Any,
        offset: int = 0,
        limit: int | None = None,
        orderby: Any = False,
        lazy: bool = True,
    ) -> list[dict[str, Any]]:
        """Eager, at most one groupby, ``:sum`` aggregates (``readgroup.py``); no offset or limit either."""
        self._check("read")
        if offset or limit:
            raise NotImplementedError("odoo_test_server: read_group's offset and limit are not modelled")
        if self._store.version >= 19:
            LOG.warning(
                "Since 19.0, read_group is deprecated. Please use _read_group in the backend code or "
                "formatted_read_group for a complete formatted result"
            )
        return readgroup.read_group(
            self._store, self._name, domain, fields, groupby, orderby, lazy, self.env.active_test
        )

    def formatted_read_group(
        self,
        domain: Any,
        groupby: Any = (),
        aggregates: Any = (),
        having: Any = (),
        offset: int = 0,
        limit: int | None = None,
        order: Any = None,
    ) -> list[dict[str, Any]]:
        """Odoo 19's read_group: groups with ``__extra_domain``, aggregates keyed by their spec (``__count`` only
        when asked for). As read_group: at most one groupby, ``:sum`` aggregates; no having, offset, limit, order."""
        if having or offset or limit or order:
            raise NotImplementedError("odoo_test_server: formatted_read_group's having/offset/limit/order not modelled")
        self._check("read")
        specs = [a for a in aggregates if a != "__count"]
        rows = readgroup.read_group(self._store, self._name, domain, specs, groupby, False, False, self.env.active_test)
        out = []
        for row in rows:
            values = [(g, row[g][0] if isinstance(row[g], (list, tuple)) else row[g]) for g in groupby]
            extra = [[g, "=", v] for g, v in values] or [[1, "=", 1]]
            group = {**{g: row[g] for g in groupby}, "__extra_domain": extra}
            group.update({spec: row.get(spec.split(":")[0]) for spec in specs})
            if "__count" in aggregates:
                group["__count"] = row["__count"]
            out.append(group)
        return out

    def fields_get(self, allfields: Any = None, attributes: Any = None) -> dict[str, Any]:
        out = {}
        for name, fdef in self._store.fields(self._name).items():
            if allfields and name not in allfields:
                continue
            desc = {"name": name, **fdef.attrs}
            if fdef.selection is not None:
                desc["selection"] = [[v, v.replace("_", " ").title()] for v in fdef.selection]
            out[name] = {k: v for k, v in desc.items() if not attributes or k in attributes}
        return out

    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool | None:
        """From 18 a wrapper of check_access: None when it raises nothing (a fault over XML-RPC)."""
        if operation not in OPERATIONS:
            raise ValueError(f"Invalid access mode: {operation!r}")
        if self._name in self.env.denied:
            if raise_exception:
                self._check(operation)
            return False
        return None if raise_exception and self._store.version >= 18 else True

    def create(self, vals_list: Any) -> list[int]:
        self._check("create")
        batch = [vals_list] if isinstance(vals_list, dict) else list(vals_list)
        return self._store.create(self._name, batch, self.env.uid, self.env.fail_record)

    def load(self, fields: Any, data: Any) -> dict[str, Any]:
        """The import API: update rows by ``.id`` (or create), all or nothing, errors as messages (``load.py``)."""
        self._check("write")
        env = self.env
        return load.load(
            self._store, self._name, env.uid, fields, data, active_test=env.active_test, fail=env.fail_record
        )

    # -- multi (first argument: ids) -------------------------------------------------------------------------
    def read(self, ids: Any, fields: Any = None, load: Any = "_classic_read") -> list[dict[str, Any]]:
        self._check("read")
        return self._read_format(_ids(ids), self._fields_to_read(fields, empty=not _ids(ids)), load)

    def write(self, ids: Any, vals: Any) -> bool:
        self._check("write")
        self._store.write(self._name, _ids(ids), vals, self.env.uid, self.env.fail_record)
        return True

    def web_save_multi(self, ids: Any, vals_list: Any, specification: Any) -> list[dict[str, Any]]:
        """Odoo 19's web/models/models.py: each record written with its own values, in one transaction."""
        self._check("write")
        records = _ids(ids)
        if len(records) != len(vals_list):
            raise ValueError("Each record must have a corresponding vals entry.")
        self._store.write_each(self._name, records, list(vals_list), self.env.uid, self.env.fail_record)
        if specification:
            raise NotImplementedError("odoo_test_server: web_save_multi answers ids only (specification {})")
        return [{"id": rid} for rid in records]

    def unlink(self, ids: Any) -> bool:
        self._check("unlink")
        if _ids(ids):
            self._store.unlink(self._name, _ids(ids), self.env.uid, self.env.fail_unlink)
        return True

    def check_access_rule(self, ids: Any, operation: str) -> None:
        self._check(operation)  # returns None: Odoo answers "cannot marshal None"


class IrConfigParameter(BaseModel):
    """ir.config_parameter: get_param / set_param."""

    def get_param(self, key: str, default: Any = False) -> Any:
        self._check("read")  # Odoo checks the read right first: admins only (base.group_system), by default
        ids = self._store.search(self._name, [("key", "=", key)], limit=1)
        return self._store.tables[self._name][ids[0]]["value"] if ids else default

    def set_param(self, key: str, value: Any) -> Any:
        ids = self._store.search(self._name, [("key", "=", key)], limit=1)
        if not ids:
            if value is not False and value is not None:
                self.create({"key": key, "value": value})
            return False
        old = self._store.tables[self._name][ids[0]]["value"]
        if value is False or value is None:
            self._store.unlink(self._name, ids, self.env.uid)
        elif str(value) != old:
            self._store.write(self._name, ids, {"value": value}, self.env.uid)
        return old


CLASSES: dict[str, type[BaseModel]] = {"ir.config_parameter": IrConfigParameter}
PUBLIC = frozenset(name for cls in (BaseModel, IrConfigParameter) for name in vars(cls) if not name.startswith("_"))


def _check_method(version: int, model: str, method: str, known: bool) -> None:
    """odoo.service.model: private method, model, method exists (18 checks the model first)."""
    private = PRIVATE.match(method)
    checks = [
        (bool(private), errors.AccessError(versions.text(version, "private_method", model=model, method=method))),
        (not known, errors.UserError(f"Object {model} doesn't exist")),
    ]
    for failed, exc in checks if version < 18 else checks[::-1]:
        if failed:
            raise exc


def _public(version: int, recs: BaseModel, method: str) -> bool:
    if method in PUBLIC and hasattr(recs, method):
        return method not in ("formatted_read_group", "web_save_multi") or version >= 19
    return False


def call_kw(env: Env, model: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """odoo.service.model.execute_cr + odoo.api.call_kw."""
    version = env.store.version
    _check_method(version, model, method, model in env.store.models)
    recs = CLASSES.get(model, BaseModel)(env, model)
    if not _public(version, recs, method):
        raise AttributeError(versions.text(version, "no_method", model=model, method=method))
    kwargs = dict(kwargs)
    env.context = dict(kwargs.pop("context", None) or {})
    if method in MULTI and not args:
        raise IndexError("tuple index out of range")
    result = getattr(recs, method)(*args, **kwargs)
    if method == "create":
        first = args[0] if args else kwargs.get("vals_list")
        return result[0] if isinstance(first, dict) else result
    return result
