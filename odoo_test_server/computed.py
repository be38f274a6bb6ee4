"""Values Odoo computes when a record is read: display names, the few computed fields something reads (an account's
projects, a plan's root, currencies, a user's companies), and the read format of every field type (many2one as
``[id, display_name]``, empty values as False). Other non-stored fields read as empty (False, 0, [])."""

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


def _projects(store: Store, recs: list[Record]) -> list[Any]:
    """An account's active projects (linked by the version's project field)."""
    link = analytic.project_field(store)
    found: dict[int, list[int]] = defaultdict(list)
    for rid, rec in store.tables[PROJECT].items():
        if rec.get(link) and rec.get("active", True):
            found[rec[link]].append(rid)
    return [found.get(r["id"], []) for r in recs]


COMPUTERS: dict[tuple[str, str], Computer] = {
    (ACCOUNT, "currency_id"): _company_currency,
    (ACCOUNT, "project_ids"): _projects,
    (ACCOUNT, "project_count"): lambda s, recs: [len(ids) for ids in _projects(s, recs)],
    (PLAN, "root_id"): lambda s, recs: [analytic.root_of(s, r["id"]) for r in recs],
    (PROJECT, "currency_id"): _company_currency,
    # Allowed companies: a test sets ``company_ids`` on the user's row; unset, the user's own company.
    ("res.users", "company_ids"): lambda s, recs: [r.get("company_ids") or [r.get("company_id")] for r in recs],
}
