"""The database: one dict of records per model, keyed by id, with Odoo 17's write rules.

Every create/write/unlink checks everything before it changes anything, so a failed call leaves no trace
(Odoo rolls the transaction back). Callers hold ``store.lock`` for a whole RPC call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from odoo_test_server import analytic, convert, errors, ordering, versions
from odoo_test_server.domain import compile_domain, is_false, mentions, normalize
from odoo_test_server.schema import PLAN, FieldDef, ModelDef, build_models, plan_column, plan_models

Record = dict[str, Any]
FailHook = Callable[[str, dict[str, Any]], "str | None"]
UnlinkHook = Callable[[str, dict[str, Any]], "str | Exception | None"]
LOG_ACCESS = ("create_uid", "create_date", "write_uid", "write_date")


class Savepoint(NamedTuple):
    tables: dict[str, dict[int, Record]]
    seq: dict[str, int]
    plan_columns: dict[int, str]


class Store:
    """All records of one fake database, plus the plan columns and the indexes."""

    def __init__(self, version: int = 17) -> None:
        self.version = version
        self.models: dict[str, ModelDef] = build_models(version)
        self.tables: dict[str, dict[int, Record]] = {name: {} for name in self.models}
        self.plan_columns: dict[int, str] = {}  # root plan id -> its column on plan models
        self.lock = threading.RLock()
        self._seq = dict.fromkeys(self.models, 0)
        self._fields: dict[str, dict[str, FieldDef]] = {}
        self._managed: dict[str, frozenset[str]] = {}
        self._refs: dict[str, list[tuple[str, str, str]]] | None = None
        self.indexes: dict[tuple[str, str], dict[Any, set[int]]] = {
            (m.name, f): {} for m in self.models.values() for f in m.indexed
        }

    # -- schema ------------------------------------------------------------------------------------------
    def model_def(self, model: str) -> ModelDef:
        return self.models[model]

    def fields(self, model: str) -> dict[str, FieldDef]:
        cached = self._fields.get(model)
        if cached is None:
            cached = dict(self.models[model].fields)
            if model in plan_models(self.version):
                cached.update(self._plan_fields(model))
            self._fields[model] = cached
        return cached

    def _plan_fields(self, model: str) -> dict[str, FieldDef]:
        plans, version = self.tables[PLAN], self.version
        out = {
            "account_id": plan_column("account_id", "Project Account", analytic.project_plan_id(self), version, model)
        }
        for plan_id, column in sorted(self.plan_columns.items()):
            out[column] = plan_column(column, plans[plan_id]["name"], plan_id, version, model)
        return out

    def managed(self, model: str) -> frozenset[str]:
        cached = self._managed.get(model)
        if cached is None:
            mdef = self.models[model]
            cached = frozenset(n for n, f in self.fields(model).items() if f.managed or n in mdef.also_stored)
            self._managed[model] = cached
        return cached

    def schema_changed(self) -> None:
        self._fields.clear()
        self._managed.clear()
        self._refs = None

    def refs(self, target: str) -> list[tuple[str, str, str]]:
        """(model, field, ondelete) of every stored many2one pointing at ``target``."""
        if self._refs is None:
            refs: dict[str, list[tuple[str, str, str]]] = {}
            for model in self.models:
                for name, field in self.fields(model).items():
                    if field.type == "many2one" and name in self.managed(model):
                        refs.setdefault(field.relation or "", []).append((model, name, field.ondelete))
            self._refs = refs
        return self._refs.get(target, [])

    # -- lookups -----------------------------------------------------------------------------------------
    def exists(self, model: str, rid: int) -> bool:
        table = self.tables.get(model)
        return table is not None and rid in table

    def index_ids(self, model: str, field: str, values: list[Any]) -> set[int] | None:
        index = self.indexes.get((model, field))
        if index is None:
            return None
        found: set[int] = set()
        for value in values:
            found |= index.get(value, set())
        return found

    def descendants(self, model: str, ids: set[int]) -> set[int]:
        """``ids`` (those that exist) and every record below them through the model's ``parent_name``."""
        parent = self.models[model].parent_name
        table = self.tables[model]
        result = {i for i in ids if i in table}
        children: dict[int, list[int]] = {}
        for rid, rec in table.items():
            if parent and rec.get(parent):
                children.setdefault(rec[parent], []).append(rid)
        todo = list(result)
        while todo:
            for kid in children.get(todo.pop(), []):
                if kid not in result:
                    result.add(kid)
                    todo.append(kid)
        return result

    # -- search ------------------------------------------------------------------------------------------
    def matching(self, model: str, domain: Any, active_test: bool = True) -> list[Record]:
        tokens = normalize(domain)
        if is_false(tokens):
            return []
        if active_test and self.models[model].has_active and not mentions(tokens, "active"):
            tokens = ["&", ("active", "=", True), *tokens]
        compiled = compile_domain(self, model, tokens)
        table = self.tables[model]
        if compiled.cand is not None:
            rows: Iterable[Record] = [table[i] for i in sorted(compiled.cand) if i in table]
        else:
            rows = table.values()
        pred = compiled.pred
        return [rec for rec in rows if pred(rec)]

    def search(
        self,
        model: str,
        domain: Any,
        *,
        active_test: bool = True,
        order: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[int]:
        # Odoo 17's _search: a domain that is trivially false returns nothing, unchecked; then
        # _flush_search (empty order parts), the domain (_where_calc), and last the order (_order_to_sql).
        if is_false(normalize(domain)):
            return []
        ordering.check_order_parts(order or self.model_def(model).order, self.version)
        matched = self.matching(model, domain, active_test)
        keys = ordering.parse_order(self, model, order)
        rows = ordering.sort_records(self, model, matched, keys)
        start = int(offset or 0)
        end = start + int(limit) if limit else None  # no LIMIT clause for None, False or 0
        return [rec["id"] for rec in rows[start:end]]

    # -- create ------------------------------------------------------------------------------------------
    def create(self, model: str, vals_list: list[Any], uid: int, fail: FailHook | None = None) -> list[int]:
        mdef, fields = self.models[model], self.fields(model)
        base = analytic.defaults(self, mdef, uid)
        rows = [self._new_row(model, base, vals) for vals in vals_list]
        convert.parse_dates(rows, fields, orm_first=self.version >= 19)  # 19's ORM converts dates on create
        convert.check_not_null(mdef, fields, rows, partial=False)
        convert.check_foreign_keys(mdef, fields, rows, self.exists)
        analytic.check_create(self, model, rows)
        _constraints(model, vals_list, fail)
        now = _now()
        ids = []
        for row in rows:
            self._seq[model] += 1
            rid = self._seq[model]
            row.update(id=rid, create_uid=uid, write_uid=uid, create_date=now, write_date=now)
            self.tables[model][rid] = row
            self._index(model, rid, row, add=True)
            ids.append(rid)
        analytic.after_create(self, model, ids)
        return ids

    def _new_row(self, model: str, base: Record, vals: Any) -> Record:
        mdef, fields, managed = self.models[model], self.fields(model), self.managed(model)
        row = dict(base)
        currency = self.currency_precision(_company_of(vals, base))
        for key, value in vals.items():
            field = fields.get(key)
            if field is None:
                raise ValueError(versions.text(self.version, "invalid_field_write", field=key, model=model))
            if key in managed and key not in mdef.computed:
                row[key] = convert.to_cache(model, field, value, currency)
            else:
                _refuse_x2many(model, field, value)
        return row

    def currency_precision(self, company_id: Any = None) -> tuple[float, int]:
        """The company currency's rounding factor and decimal places: monetary values are rounded to a multiple
        of the factor and written with that many places, as Odoo's Monetary field does (the line's currency is
        its company's; without a company, currency 1)."""
        company = self.tables.get("res.company", {}).get(company_id) if company_id else None
        currency_id = (company or {}).get("currency_id") or 1
        currency = self.tables.get("res.currency", {}).get(currency_id) or {}
        decimals = int(currency.get("decimal_places") or 2)
        return float(currency.get("rounding") or 10.0**-decimals), decimals

    # -- write -------------------------------------------------------------------------------------------
    def write(self, model: str, ids: list[int], vals: Any, uid: int, fail: FailHook | None = None) -> None:
        """Odoo's write: every record checked first, then all written (a one2many's UPDATE commands too)."""
        own, updates = self._split_updates(model, vals)
        self._write_staged([(model, ids, own), *updates], uid, fail)

    def write_each(self, model: str, ids: list[int], vals_list: list[Any], uid: int, fail: FailHook | None) -> None:
        """One write per record with its own values, all or nothing (web_save_multi)."""
        self._write_staged([(model, [rid], vals) for rid, vals in zip(ids, vals_list, strict=True)], uid, fail)

    def _write_staged(self, writes: list[tuple[str, list[int], Any]], uid: int, fail: FailHook | None) -> None:
        staged = [(m, rids, self._stage_write(m, rids, v, uid, fail)) for m, rids, v in writes]
        for m, rids, changes in staged:
            self.apply_write(m, rids, changes, uid)
            analytic.after_write(self, m, rids, changes)

    def _split_updates(self, model: str, vals: Any) -> tuple[dict[str, Any], list[tuple[str, list[int], Any]]]:
        """The record's own values, and the ``(1, id, vals)`` commands of its one2many fields as writes on the
        comodel (fields.One2many.write_real: ``comodel.browse(id).write(vals)``, whoever the record's parent)."""
        fields, own, updates = self.fields(model), {}, []
        for key, value in vals.items():
            field = fields.get(key)
            if field is None or field.type != "one2many" or not value:
                own[key] = value
                continue
            for command in value:
                if not (isinstance(command, (list, tuple)) and len(command) == 3 and command[0] == 1):
                    raise NotImplementedError(f"fake_odoo: only (1, id, vals) commands on {model}.{key}")
                updates.append((str(field.relation), [int(command[1])], command[2]))
        return own, updates

    def _stage_write(self, model: str, ids: list[int], vals: Any, uid: int, fail: FailHook | None) -> Record:
        """The checked changes of a write, not applied yet."""
        mdef, fields, managed = self.models[model], self.fields(model), self.managed(model)
        self.check_exist(model, ids, uid)
        changes: Record = {}
        currency = self.currency_precision(_company_of(vals, self.tables[model][ids[0]] if ids else {}))
        for key, value in vals.items():
            if key in ("id", "parent_path", *LOG_ACCESS):
                continue
            field = fields.get(key)
            if field is None:
                raise ValueError(versions.text(self.version, "invalid_field_write", field=key, model=model))
            if key in managed and key not in mdef.computed:
                changes[key] = convert.to_cache(model, field, value, currency)
            else:
                _refuse_x2many(model, field, value)
        convert.parse_dates([changes], fields, orm_first=True)
        convert.check_not_null(mdef, fields, [changes], partial=True)
        convert.check_foreign_keys(mdef, fields, [changes], self.exists)
        analytic.check_write(self, model, ids, changes)
        _constraints(model, [vals for _ in ids], fail)
        return changes

    def apply_write(self, model: str, ids: Iterable[int], changes: Record, uid: int | None) -> None:
        table = self.tables[model]
        stamp = {"write_uid": uid, "write_date": _now()} if uid is not None else {}
        for rid in ids:
            rec = table[rid]
            self._index(model, rid, rec, add=False)
            rec.update(changes, **stamp)
            self._index(model, rid, rec, add=True)

    def check_exist(self, model: str, ids: list[int], uid: int) -> None:
        table = self.tables[model]
        missing = [i for i in dict.fromkeys(ids) if i not in table]
        if missing:
            raise errors.missing_records(model, missing, uid)

    # -- unlink ------------------------------------------------------------------------------------------
    def unlink(self, model: str, ids: list[int], uid: int, fail: UnlinkHook | None = None) -> None:
        self.check_exist(model, ids, uid)
        analytic.check_unlink(self, model, ids)
        _unlink_refusals(model, [self.tables[model][rid] for rid in ids], fail)
        doomed, nulls = self._deletion_plan(model, set(ids))
        for ref_model, field, rids in nulls:
            self.apply_write(ref_model, rids, {field: None}, None)
        for target, rids in doomed.items():
            for rid in rids:
                self._index(target, rid, self.tables[target][rid], add=False)
                del self.tables[target][rid]
        analytic.after_unlink(self, doomed)

    def _deletion_plan(self, model: str, ids: set[int]) -> tuple[dict[str, set[int]], list[Any]]:
        doomed: dict[str, set[int]] = {model: set(ids)}
        nulls: list[tuple[str, str, set[int]]] = []
        todo = [(model, set(ids))]
        while todo:
            target, gone = todo.pop(0)
            for ref_model, field, ondelete in self.refs(target):
                dying = doomed.get(ref_model, set())
                rows = {
                    rid for rid, rec in self.tables[ref_model].items() if rec.get(field) in gone and rid not in dying
                }
                if not rows:
                    continue
                if ondelete == "restrict":
                    mdef = self.models[ref_model]
                    label = self.fields(ref_model)[field].string
                    raise errors.fk_violation(mdef.description, ref_model, field, label, self.version)
                if ondelete == "cascade":
                    doomed.setdefault(ref_model, set()).update(rows)
                    todo.append((ref_model, rows))
                else:
                    nulls.append((ref_model, field, rows))
        return doomed, nulls

    # -- savepoints (``load`` is all or nothing) ----------------------------------------------------------------
    def savepoint(self) -> Savepoint:
        tables = {model: {rid: dict(rec) for rid, rec in table.items()} for model, table in self.tables.items()}
        return Savepoint(tables, dict(self._seq), dict(self.plan_columns))

    def rollback(self, savepoint: Savepoint) -> None:
        """Back to the savepoint (which stays usable): records, sequences, plan columns, indexes."""
        for model, saved in savepoint.tables.items():
            self.tables[model].clear()
            self.tables[model].update({rid: dict(rec) for rid, rec in saved.items()})
        self._seq.update(savepoint.seq)
        self.plan_columns.clear()
        self.plan_columns.update(savepoint.plan_columns)
        for index in self.indexes.values():
            index.clear()
        for model, table in self.tables.items():
            for rid, rec in table.items():
                self._index(model, rid, rec, add=True)
        self.schema_changed()

    # -- helpers -----------------------------------------------------------------------------------------
    def _index(self, model: str, rid: int, rec: Record, *, add: bool) -> None:
        for field in self.models[model].indexed:
            index = self.indexes[(model, field)]
            value = rec.get(field)
            if add:
                index.setdefault(value, set()).add(rid)
            elif value in index:
                index[value].discard(rid)

    def drop_column(self, column: str) -> None:
        for model in plan_models(self.version):
            for rec in self.tables[model].values():
                rec.pop(column, None)


def _refuse_x2many(model: str, field: FieldDef, value: Any) -> None:
    if field.type in ("one2many", "many2many") and value:
        raise NotImplementedError(f"fake_odoo: writing {field.type} {model}.{field.name} is not supported")


def _constraints(model: str, vals_list: list[Any], fail: FailHook | None) -> None:
    """Python constraints (run after the INSERT/UPDATE in Odoo): the test hook ``fail_record``."""
    if fail is None:
        return
    for vals in vals_list:
        message = fail(model, vals)
        if message:
            raise errors.ValidationError(message)


def _unlink_refusals(model: str, records: list[Record], fail: UnlinkHook | None) -> None:
    """An ``unlink`` override refusing some records (the test hook ``fail_unlink``): the whole call fails."""
    if fail is None:
        return
    for record in records:
        refusal = fail(model, dict(record))
        if isinstance(refusal, Exception):
            raise refusal
        if refusal:
            raise errors.UserError(refusal)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _company_of(vals: Any, record: Record) -> Any:
    """The company whose currency rounds a record's monetary values: the one written, else the record's (Odoo
    rounds a write to several records with the first one's currency)."""
    company = vals.get("company_id") if isinstance(vals, dict) else None
    return company if type(company) is int else record.get("company_id")
