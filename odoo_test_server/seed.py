"""The state of a fresh database with ``account`` and ``project`` installed and analytic accounting enabled, as
recorded in ``recorded[/<version>]/server_state.json``: one company (EUR), the admin user (uid 2), the root
plans (17: four, Odoo's own named "Projects"; 18/19: three, "Project") and ``analytic.project_plan`` = '1'."""

from __future__ import annotations

import json
import uuid
from typing import Any

from odoo_test_server import versions
from odoo_test_server.schema import PLAN
from odoo_test_server.store import Store

SYSTEM_UID = 1
ADMIN_UID = 2


def recorded_state(version: int = 17) -> dict[str, Any]:
    with (versions.recorded_dir(version) / "server_state.json").open() as fh:
        state: dict[str, Any] = json.load(fh)
    return state


def recorded_plans(version: int = 17) -> list[dict[str, Any]]:
    plans: list[dict[str, Any]] = recorded_state(version)["plans"]
    return plans


def seed(store: Store, login: str) -> None:
    create = store.create
    create(
        "res.currency",
        [
            {"name": "EUR", "full_name": "Euro", "symbol": "€"},
            {"name": "USD", "full_name": "United States dollar", "symbol": "$"},
        ],
        SYSTEM_UID,
    )
    create(
        "res.partner",
        [
            {"name": "My Company", "is_company": True},
            {"name": "OdooBot", "active": False},
            {"name": "Administrator"},
        ],
        SYSTEM_UID,
    )
    create("res.company", [{"name": "My Company", "currency_id": 1, "partner_id": 1}], SYSTEM_UID)
    for partner in store.tables["res.partner"].values():
        partner["company_id"] = 1 if partner["id"] == 1 else None
    create(
        "res.users",
        [
            {"name": "OdooBot", "login": "__system__", "active": False, "partner_id": 2},
            {"name": "Administrator", "login": login, "partner_id": 3},
        ],
        SYSTEM_UID,
    )
    create(
        "ir.config_parameter",
        [
            {"key": "analytic.project_plan", "value": "1"},
            {"key": "database.uuid", "value": str(uuid.uuid4())},
            {"key": "web.base.url", "value": "http://localhost:8069"},
        ],
        SYSTEM_UID,
    )
    for plan in recorded_plans(store.version):
        assert not plan["parent_id"], "the recorded plans are all root plans"
        ids = create(PLAN, [{"name": plan["name"], "default_applicability": plan["default_applicability"]}], SYSTEM_UID)
        assert ids == [plan["id"]], "seed plans must get the recorded ids"
