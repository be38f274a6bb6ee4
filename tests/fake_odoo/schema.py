"""Models and fields: the four analytic/project models from Odoo 17's recorded ``fields_get``, plus small
hand-written definitions of the other models the integration may touch."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fake_odoo import extra_models

RECORDED_DIR = Path(__file__).resolve().parent / "recorded"
PLAN_COLUMN_PREFIX = "x_plan"
LINE = "account.analytic.line"
ACCOUNT = "account.analytic.account"
PLAN = "account.analytic.plan"
PROJECT = "project.project"

# Column types whose values the fake stores in the record dicts.
SCALAR_TYPES = {
    "char",
    "text",
    "html",
    "integer",
    "float",
    "monetary",
    "boolean",
    "date",
    "datetime",
    "selection",
    "many2one",
    "json",
    "properties_definition",
}
MAGIC = ("id", "display_name", "create_date", "create_uid", "write_date", "write_uid")


@dataclass(frozen=True)
class FieldDef:
    """One field: its ``fields_get`` attributes and what the fake needs to store and check it."""

    name: str
    type: str
    attrs: dict[str, Any]
    selection: tuple[str, ...] | None = None
    ondelete: str = "set null"

    @property
    def string(self) -> str:
        return str(self.attrs.get("string", self.name))

    @property
    def relation(self) -> str | None:
        return self.attrs.get("relation")

    @property
    def store(self) -> bool:
        return bool(self.attrs.get("store", True))

    @property
    def size(self) -> int | None:
        return self.attrs.get("size")

    @property
    def managed(self) -> bool:
        """Stored in the record dicts and writable (magic and x2many fields are not)."""
        return self.store and self.type in SCALAR_TYPES and self.name not in MAGIC


@dataclass
class ModelDef:
    """A model: label (``_description``), default order, record name, required columns (table order)."""

    name: str
    description: str
    fields: dict[str, FieldDef]
    order: str = "id"
    rec_name: str = "name"
    rec_names_search: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    computed: frozenset[str] = frozenset()  # stored but derived: writes are ignored
    parent_name: str | None = None
    indexed: tuple[str, ...] = ()
    also_stored: frozenset[str] = frozenset()  # fields_get says store=False (company-dependent), kept anyway

    @property
    def table(self) -> str:
        return self.name.replace(".", "_")

    @property
    def has_active(self) -> bool:
        return "active" in self.fields


def _recorded_fields() -> dict[str, dict[str, dict[str, Any]]]:
    with (RECORDED_DIR / "fields_get.json").open() as fh:
        data: dict[str, dict[str, dict[str, Any]]] = json.load(fh)
    return data


def _fielddefs(model: str, raw: dict[str, dict[str, Any]]) -> dict[str, FieldDef]:
    out: dict[str, FieldDef] = {}
    for name, attrs in raw.items():
        if name.startswith(PLAN_COLUMN_PREFIX) or (model == LINE and name == "account_id"):
            continue  # plan columns are made from the plans at run time
        selection = extra_models.SELECTIONS.get((model, name))
        out[name] = FieldDef(name, attrs["type"], dict(attrs), selection, _ondelete(model, name, attrs))
    return out


def _ondelete(model: str, name: str, attrs: dict[str, Any]) -> str:
    """Odoo's default for a many2one without ``ondelete``: 'restrict' if required, else 'set null'."""
    return extra_models.ONDELETE.get((model, name)) or ("restrict" if attrs.get("required") else "set null")


def plan_column(name: str, label: str, plan_id: int) -> FieldDef:
    """The many2one column a root plan adds (``account_id`` for the project plan), as Odoo 17 defines it."""
    attrs = {
        "domain": f"[('plan_id', 'child_of', {plan_id})]",
        "readonly": False,
        "relation": ACCOUNT,
        "required": False,
        "store": True,
        "string": label,
        "type": "many2one",
    }
    ondelete = "restrict" if name == "account_id" else "set null"
    return FieldDef(name, "many2one", attrs, None, ondelete)


def _project_18(fields: dict[str, FieldDef]) -> dict[str, FieldDef]:
    """Odoo 18 renames project.project.analytic_account_id to account_id (a plan column, like on lines)."""
    return {k: v for k, v in fields.items() if k != "analytic_account_id"}


def build_models(version: int) -> dict[str, ModelDef]:
    """All models of a fresh database with ``account`` and ``project`` installed."""
    recorded = _recorded_fields()
    models: dict[str, ModelDef] = {}
    for name, raw in recorded.items():
        spec = extra_models.RECORDED_MODEL_SPECS[name]
        fields = _fielddefs(name, raw)
        if name == PROJECT and version >= 18:
            fields = _project_18(fields)
        models[name] = ModelDef(name=name, fields=fields, **spec)
    for name, (spec, raw_fields) in extra_models.EXTRA_MODELS.items():
        fields = {}
        for fname, ftype, label, extra in raw_fields:
            attrs = {"readonly": False, "required": False, "store": True, "string": label, "type": ftype}
            attrs.update(extra)
            selection = extra_models.SELECTIONS.get((name, fname))
            fields[fname] = FieldDef(fname, ftype, attrs, selection, _ondelete(name, fname, attrs))
        models[name] = ModelDef(name=name, fields=fields, **spec)
    for model in models.values():
        for magic in MAGIC:
            model.fields.setdefault(magic, _magic_field(magic))
    return models


def _magic_field(name: str) -> FieldDef:
    types = {
        "id": ("integer", "ID"),
        "display_name": ("char", "Display Name"),
        "create_date": ("datetime", "Created on"),
        "write_date": ("datetime", "Last Updated on"),
        "create_uid": ("many2one", "Created by"),
        "write_uid": ("many2one", "Last Updated by"),
    }
    ftype, label = types[name]
    attrs: dict[str, Any] = {
        "readonly": True,
        "required": False,
        "store": name != "display_name",
        "string": label,
        "type": ftype,
    }
    if ftype == "many2one":
        attrs.update(relation="res.users", domain=[])
    return FieldDef(name, ftype, attrs)


def plan_models(version: int) -> tuple[str, ...]:
    """Models with the project plan's ``account_id`` and (from 17) one ``x_plan<ID>_id`` per root plan."""
    return (LINE, PROJECT) if version >= 18 else (LINE,)
