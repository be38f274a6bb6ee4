"""Models and fields: the four analytic/project models from Odoo 17's recorded ``fields_get``, plus small
hand-written definitions of the other models the integration may touch."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from odoo_test_server import extra_models, versions

RECORDED_DIR = versions.RECORDED_DIR
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
    not_null: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    computed: frozenset[str] = frozenset()  # stored but derived: writes are ignored
    parent_name: str | None = None
    indexed: tuple[str, ...] = ()
    also_stored: frozenset[str] = frozenset()  # fields_get says store=False (company-dependent), kept anyway
    version: int = 17  # the Odoo version whose wording its errors take

    @property
    def has_active(self) -> bool:
        return "active" in self.fields


def _recorded_fields(version: int) -> dict[str, dict[str, dict[str, Any]]]:
    """The version's recorded ``fields_get``; 18/19 were recorded without ``store`` and ``size``: 17's apply."""
    with (versions.recorded_dir(version) / "fields_get.json").open() as fh:
        data: dict[str, dict[str, dict[str, Any]]] = json.load(fh)
    if version >= 18:
        base = _recorded_fields(17)
        for model, fields in data.items():
            for name, attrs in fields.items():
                known = base[model].get(name, {})
                attrs.update({k: known[k] for k in ("store", "size") if k in known and k not in attrs})
    return data


def _fielddefs(model: str, raw: dict[str, dict[str, Any]], version: int) -> dict[str, FieldDef]:
    out: dict[str, FieldDef] = {}
    for name, attrs in raw.items():
        if name.startswith(PLAN_COLUMN_PREFIX) or (model in plan_models(version) and name == "account_id"):
            continue  # plan columns are made from the plans at run time
        if (model, name) in NOT_STORED:
            attrs = {**attrs, "store": False}
        selection = extra_models.SELECTIONS.get((model, name))
        out[name] = FieldDef(name, attrs["type"], dict(attrs), selection, _ondelete(model, name, attrs))
    return out


# Computed and not stored, though 18/19's recordings (made without the 'store' attribute) do not say so.
NOT_STORED = frozenset({(PROJECT, "auto_account_id")})


def _ondelete(model: str, name: str, attrs: dict[str, Any]) -> str:
    """Odoo's default for a many2one without ``ondelete``: 'restrict' if required, else 'set null'."""
    return extra_models.ONDELETE.get((model, name)) or ("restrict" if attrs.get("required") else "set null")


def plan_column(name: str, label: str, plan_id: int, version: int = 17, model: str = LINE) -> FieldDef:
    """The many2one column a root plan adds (``account_id`` for the project plan). From 18 an account in use
    cannot be deleted (17 empties the ``x_plan`` columns of its lines)."""
    attrs = {
        "domain": versions.plan_column_domain(version, model, plan_id),
        "readonly": False,
        "relation": ACCOUNT,
        "required": False,
        "store": True,
        "string": label,
        "type": "many2one",
    }
    ondelete = "restrict" if name == "account_id" or version >= 18 else "set null"
    return FieldDef(name, "many2one", attrs, None, ondelete)


def _groups(version: int) -> FieldDef:
    name = versions.groups_field(version)
    attrs = {"readonly": False, "relation": "res.groups", "required": False, "store": True, "string": "Groups"}
    return FieldDef(name, "many2many", {**attrs, "type": "many2many"})


def build_models(version: int) -> dict[str, ModelDef]:
    """All models of a fresh database with ``account`` and ``project`` installed."""
    recorded = _recorded_fields(version)
    models: dict[str, ModelDef] = {}
    for name, raw in recorded.items():
        spec = dict(extra_models.RECORDED_MODEL_SPECS[name])
        fields = _fielddefs(name, raw, version)
        spec["not_null"] = tuple(f for f in spec.get("not_null", ()) if f in fields)
        spec["defaults"] = {k: v for k, v in spec.get("defaults", {}).items() if k in fields}
        models[name] = ModelDef(name=name, fields=fields, version=version, **spec)
    for name, (spec, raw_fields) in extra_models.EXTRA_MODELS.items():
        fields = {}
        for fname, ftype, label, extra in raw_fields:
            attrs = {"readonly": False, "required": False, "store": True, "string": label, "type": ftype}
            attrs.update(extra)
            selection = extra_models.SELECTIONS.get((name, fname))
            fields[fname] = FieldDef(fname, ftype, attrs, selection, _ondelete(name, fname, attrs))
        models[name] = ModelDef(name=name, fields=fields, version=version, **spec)
    groups = _groups(version)
    models["res.users"].fields[groups.name] = groups
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
