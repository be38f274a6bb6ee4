"""Model-level facts Odoo 17 defines in Python (not visible in ``fields_get``): labels, default orders, record
names, NOT NULL columns, defaults, ondelete rules, selection values; plus the small models written by hand.

Defaults starting with ``@`` are resolved by the store: ``@today``, ``@uid``, ``@company``.
"""

from __future__ import annotations

from typing import Any

RECORDED_MODEL_SPECS: dict[str, dict[str, Any]] = {
    "account.analytic.line": {
        "description": "Analytic Line",
        "order": "date desc, id desc",
        "not_null": ("name", "date", "amount", "company_id"),
        "defaults": {
            "date": "@today",
            "amount": 0.0,
            "unit_amount": 0.0,
            "company_id": "@company",
            "user_id": "@uid",
            "category": "other",
        },
        "computed": frozenset({"currency_id"}),
        "indexed": ("ref",),
    },
    "account.analytic.account": {
        "description": "Analytic Account",
        "order": "plan_id, name asc",
        "not_null": ("name", "plan_id"),
        "defaults": {"active": True, "company_id": "@company"},
        "computed": frozenset({"root_plan_id"}),
        "indexed": ("code",),
    },
    "account.analytic.plan": {
        "description": "Analytic Plans",
        "order": "sequence asc, id",
        "rec_name": "complete_name",
        "not_null": ("name",),
        "defaults": {"sequence": 10, "default_applicability": "optional"},
        "computed": frozenset({"complete_name", "parent_path"}),
        "parent_name": "parent_id",
        "also_stored": frozenset({"default_applicability"}),
    },
    "project.project": {
        "description": "Project",
        "order": "sequence, name, id",
        "not_null": (
            "name",
            "privacy_visibility",
            "rating_status",
            "rating_status_period",
            "last_update_status",
        ),
        "defaults": {
            "active": True,
            "sequence": 10,
            "user_id": "@uid",
            "privacy_visibility": "portal",
            "last_update_status": "to_define",
            "rating_status": "stage",
            "rating_status_period": "monthly",
            "label_tasks": "Tasks",
        },
    },
}

SELECTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("account.analytic.line", "category"): ("other", "invoice", "vendor_bill"),
    ("account.analytic.plan", "default_applicability"): ("optional", "mandatory", "unavailable"),
    ("project.project", "privacy_visibility"): ("followers", "employees", "portal"),
    ("project.project", "last_update_status"): (
        "on_track",
        "at_risk",
        "off_track",
        "on_hold",
        "to_define",
        "done",
    ),
    ("project.project", "rating_status"): ("stage", "periodic"),
    ("project.project", "rating_status_period"): (
        "daily",
        "weekly",
        "bimonthly",
        "monthly",
        "quarterly",
        "yearly",
    ),
}

ONDELETE: dict[tuple[str, str], str] = {
    ("account.analytic.plan", "parent_id"): "cascade",
}

M2O: dict[str, Any] = {"domain": []}

EXTRA_MODELS: dict[str, tuple[dict[str, Any], list[tuple[str, str, str, dict[str, Any]]]]] = {
    "res.company": (
        {
            "description": "Companies",
            "order": "sequence, name",
            "not_null": ("name", "currency_id"),
            "defaults": {"active": True, "sequence": 10},
        },
        [
            ("name", "char", "Company Name", {"required": True}),
            ("active", "boolean", "Active", {}),
            ("sequence", "integer", "Sequence", {}),
            ("currency_id", "many2one", "Currency", {"relation": "res.currency", "required": True, **M2O}),
            ("partner_id", "many2one", "Partner", {"relation": "res.partner", **M2O}),
            ("parent_id", "many2one", "Parent Company", {"relation": "res.company", **M2O}),
            ("email", "char", "Email", {}),
            ("vat", "char", "Tax ID", {}),
        ],
    ),
    "res.currency": (
        {
            "description": "Currency",
            "order": "active desc, name",
            "not_null": ("name", "symbol"),
            "defaults": {"active": True, "rounding": 0.01, "decimal_places": 2},
        },
        [
            ("name", "char", "Currency", {"required": True, "size": 3}),
            ("full_name", "char", "Name", {}),
            ("symbol", "char", "Symbol", {"required": True}),
            ("active", "boolean", "Active", {}),
            ("rounding", "float", "Rounding Factor", {}),
            ("decimal_places", "integer", "Decimal Places", {}),
        ],
    ),
    "res.currency.rate": (
        {
            "description": "Currency Rate",
            "order": "name desc",
            "not_null": ("name", "rate", "currency_id"),
            "defaults": {"rate": 1.0},
        },
        [
            ("name", "date", "Date", {"required": True}),
            ("rate", "float", "Technical Rate", {}),
            ("currency_id", "many2one", "Currency", {"relation": "res.currency", "required": True, **M2O}),
            ("company_id", "many2one", "Company", {"relation": "res.company", **M2O}),
        ],
    ),
    "res.partner": (
        {
            "description": "Contact",
            "order": "name, id desc",
            "defaults": {"active": True, "is_company": False},
        },
        [
            ("name", "char", "Name", {}),
            ("ref", "char", "Reference", {}),
            ("email", "char", "Email", {}),
            ("vat", "char", "Tax ID", {}),
            ("active", "boolean", "Active", {}),
            ("is_company", "boolean", "Is a Company", {}),
            ("company_id", "many2one", "Company", {"relation": "res.company", **M2O}),
            ("parent_id", "many2one", "Related Company", {"relation": "res.partner", **M2O}),
        ],
    ),
    "res.users": (
        {
            "description": "User",
            "order": "name, login",
            "not_null": ("login", "partner_id"),
            "defaults": {"active": True, "company_id": "@company"},
        },
        [
            ("name", "char", "Name", {}),
            ("login", "char", "Login", {"required": True}),
            ("active", "boolean", "Active", {}),
            ("share", "boolean", "Share User", {}),
            ("company_id", "many2one", "Company", {"relation": "res.company", "required": True, **M2O}),
            ("company_ids", "many2many", "Companies", {"relation": "res.company", **M2O}),
            (
                "partner_id",
                "many2one",
                "Related Partner",
                {"relation": "res.partner", "required": True, **M2O},
            ),
            ("lang", "char", "Language", {}),
            ("tz", "char", "Timezone", {}),
        ],
    ),
    "ir.config_parameter": (
        {
            "description": "System Parameter",
            "order": "key",
            "rec_name": "key",
            "not_null": ("key", "value"),
            "indexed": ("key",),
        },
        [
            ("key", "char", "Key", {"required": True}),
            ("value", "text", "Value", {"required": True}),
        ],
    ),
}
