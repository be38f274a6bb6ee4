"""Values Odoo computes when a record is read: display names, balances, counts, one2many lists, and the
read format of every field type (many2one as ``[id, display_name]``, empty values as False)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from odoo_test_server import analytic
from odoo_test_server.schema import ACCOUNT, PLAN, PROJECT, FieldDef

if TYPE_CHECKING:
    from odoo_test_server.store import Store

Record = dict[str, Any]
Computer = Callable[["Store", list[Record]], list[Any]]
EMPTY = {"integer": 0, "float": 0.0, "monetary": 0.0, "boolean": False}


def display_name(store: Store, model: str, rec: Record) -> Any:
    if model == ACCOUNT:
        name = rec.get("name") or ""
        if rec.get("code"):
            name = f"[{rec['code']}] {name}"
        partner = store.tables["res.partner"].get(rec.get("partner_id") or 0)
        return f"{name} - {partner['name']}" if partner and partner.get("name") else name
    if model == "res.partner" and rec.get("parent_id"):
        parent = store.tables["res.partner"].get(rec["parent_id"], {})
        return f"{parent.get('name') or ''}, {rec.get('name') or ''}"
    value = rec.get(store.models[model].rec_name)
    return False if value is None else value


class Reader:
    """Formats records for ``read``; caches display names of many2one targets for one call."""

    def __init__(self, store: Store, model: str, load: Any = "_classic_read") -> None:
        self.store = store
        self.model = model
        self.classic = load == "_classic_read"
        self._names: dict[tuple[str, int], Any] = {}

    def name_of(self, model: str, rid: int) -> Any:
        key = (model, rid)
        if key not in self._names:
            rec = self.store.tables.get(model, {}).get(rid)
            self._names[key] = display_name(self.store, model, rec) if rec is not None else False
        return self._names[key]

    def rows(self, recs: list[Record], names: list[str]) -> list[Record]:
        fields = self.store.fields(self.model)
        managed = self.store.managed(self.model)
        columns: dict[str, list[Any]] = {}
        for name in names:
            if name in managed or name in ("id", "create_date", "write_date", "create_uid", "write_uid"):
                columns[name] = [rec.get(name) for rec in recs]
            else:
                columns[name] = compute(self.store, self.model, fields[name], recs)
        out = []
        for i, rec in enumerate(recs):
            row = {"id": rec["id"]}
            for name in names:
                row[name] = self.format(fields[name], columns[name][i])
            out.append(row)
        return out

    def format(self, field: FieldDef, raw: Any) -> Any:
        ftype = field.type
        if ftype == "many2one":
            if raw is None or raw is False:
                return False
            return (raw, self.name_of(field.relation or "", raw)) if self.classic else raw
        if raw is None:
            return [] if ftype in ("one2many", "many2many") else EMPTY.get(ftype, False)
        if ftype == "boolean":
            return bool(raw)
        return raw


def compute(store: Store, model: str, field: FieldDef, recs: list[Record]) -> list[Any]:
    if field.name == "display_name":
        return [display_name(store, model, rec) for rec in recs]
    computer = COMPUTERS.get((model, field.name))
    if computer is not None:
        return computer(store, recs)
    return [None] * len(recs)


# -- computers -----------------------------------------------------------------------------------------------
def _company_currency(store: Store, recs: list[Record]) -> list[Any]:
    companies = store.tables["res.company"]
    return [companies.get(r.get("company_id") or 0, {}).get("currency_id") for r in recs]


def _children(model: str, link: str, active_only: bool) -> Computer:
    def computer(store: Store, recs: list[Record]) -> list[Any]:
        found: dict[int, list[int]] = defaultdict(list)
        for rid, rec in store.tables[model].items():
            if rec.get(link) and (not active_only or rec.get("active", True)):
                found[rec[link]].append(rid)
        return [found.get(r["id"], []) for r in recs]

    return computer


def _count(of: Computer) -> Computer:
    return lambda store, recs: [len(ids) for ids in of(store, recs)]


def _all_accounts(store: Store, recs: list[Record]) -> list[Any]:
    accounts = [a for a in store.tables[ACCOUNT].values() if a.get("active", True)]
    return [sum(1 for a in accounts if a.get("plan_id") in store.hierarchy(PLAN, {r["id"]}, down=True)) for r in recs]


def _PROJECTS(store: Store, recs: list[Record]) -> list[Any]:
    return _children(PROJECT, analytic.project_field(store), active_only=True)(store, recs)


_PLAN_ACCOUNTS = _children(ACCOUNT, "plan_id", active_only=True)
_PLAN_CHILDREN = _children(PLAN, "parent_id", active_only=False)

COMPUTERS: dict[tuple[str, str], Computer] = {
    (ACCOUNT, "currency_id"): _company_currency,
    (ACCOUNT, "project_ids"): _PROJECTS,
    (ACCOUNT, "project_count"): _count(_PROJECTS),
    (ACCOUNT, "color"): lambda s, recs: [s.tables[PLAN].get(r.get("plan_id") or 0, {}).get("color") for r in recs],
    (PLAN, "root_id"): lambda s, recs: [analytic.root_of(s, r["id"]) for r in recs],
    (PLAN, "children_ids"): _PLAN_CHILDREN,
    (PLAN, "children_count"): _count(_PLAN_CHILDREN),
    (PLAN, "account_ids"): _PLAN_ACCOUNTS,
    (PLAN, "account_count"): _count(_PLAN_ACCOUNTS),
    (PLAN, "all_account_count"): _all_accounts,
    (PROJECT, "currency_id"): _company_currency,
    # Allowed companies: a test sets ``company_ids`` on the user's row; unset, the user's own company.
    ("res.users", "company_ids"): lambda s, recs: [r.get("company_ids") or [r.get("company_id")] for r in recs],
}
