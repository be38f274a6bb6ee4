"""The scenario suite against a real Odoo (``ODOO_TEST_URL``, ``ODOO_TEST_DB``, ``ODOO_TEST_USER``,
``ODOO_TEST_PASSWORD``): Odoo's records read over XML-RPC, the calls the sync made read from ``sync_log``."""

from __future__ import annotations

import os
import xmlrpc.client
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import psycopg

LINE, ACCOUNT, PROJECT = "account.analytic.line", "account.analytic.account", "project.project"
PLAN = "account.analytic.plan"
FIELDS = {
    LINE: ["id", "ref", "amount", "date", "name", "account_id", "company_id"],  # + every plan column
    ACCOUNT: ["id", "code", "plan_id", "active", "name", "company_id"],
    PROJECT: ["id", "name", "active", "company_id"],
    PLAN: ["id", "name", "parent_id"],
}
CALLS = (
    "SELECT odoo_model, method, count(*) FROM odoo_sync.sync_log WHERE outcome = 'ok' AND ts >= %s"
    " AND method IN ('create', 'write', 'unlink', 'load', 'web_save_multi') GROUP BY call_id, odoo_model, method"
)


def configured() -> dict[str, str] | None:
    names = ("URL", "DB", "USER", "PASSWORD")
    values = {n.lower(): os.environ.get(f"ODOO_TEST_{n}", "") for n in names}
    return values if all(values.values()) else None


class RealOdoo:
    """What the scenario suite asks of its Odoo, from a real server (the same shape as the test server's)."""

    def __init__(self, url: str, db: str, user: str, password: str, pg: psycopg.Connection) -> None:
        self.url, self.db, self.login, self.password, self.pg = url, db, user, password, pg
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        self.uid = common.authenticate(db, user, password, {})
        self.version = int(common.version()["server_version_info"][0])  # as FakeOdoo.version: 17, 18, 19
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=False)
        self._since = datetime.now(UTC)
        self._rates: list[int] = []

    def start(self) -> RealOdoo:
        self.clean()
        return self

    def stop(self) -> None:
        self.clean()

    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    # -- what the scenarios read --------------------------------------------------------------------------
    def records(self, model: str) -> list[dict[str, Any]]:
        domain: list[Any] = [("ref", "=like", "%:line:%")] if model == LINE else [("active", "in", [True, False])]
        fields = FIELDS[model] + (self._plan_columns() if model == LINE else [])
        rows = self.call(model, "search_read", [] if model == PLAN else domain, fields=fields, order="id")
        return [{k: (v[0] if isinstance(v, list) and v else v) for k, v in row.items()} for row in rows]

    def add_rate(self, currency: str, day: str, rate: float) -> None:
        """A company rate (test set-up, not the sync: the sync only reads rates); removed by ``clean``."""
        user = self.call("res.users", "read", [self.uid], fields=["company_id"])[0]
        (currency_id,) = self.call("res.currency", "search", [("name", "=", currency), ("active", "in", [True, False])])
        vals = {"name": day, "rate": rate, "currency_id": currency_id, "company_id": user["company_id"][0]}
        self._rates.append(self.call("res.currency.rate", "create", vals))

    def company_currency(self) -> str:
        user = self.call("res.users", "read", [self.uid], fields=["company_id"])[0]
        company = self.call("res.company", "read", [user["company_id"][0]], fields=["currency_id"])[0]
        return str(company["currency_id"][1])

    def project_plan_id(self) -> int:
        return int(self.call("ir.config_parameter", "get_param", "analytic.project_plan"))

    def _plan_columns(self) -> list[str]:
        return [name for name in self.call(LINE, "fields_get", attributes=["type"]) if name.startswith("x_plan")]

    @property
    def calls(self) -> list[SimpleNamespace]:
        rows = self.pg.execute(CALLS, (self._since,)).fetchall()
        self.pg.commit()
        return [SimpleNamespace(model=m, model_method=method, n_records=n) for m, method, n in rows]

    def count(self, model: str | None = None, method: str | None = None) -> int:
        return sum(1 for c in self.calls if (model in (None, c.model)) and (method in (None, c.model_method)))

    def reset_calls(self) -> None:
        self._since = datetime.now(UTC)

    # -- a clean slate between scenarios ----------------------------------------------------------------
    def clean(self) -> None:
        """Remove what the scenarios write: lines with a sync ref, the seed's projects and accounts."""
        if self._rates:
            self.call("res.currency.rate", "unlink", self._rates)
            self._rates.clear()
        lines = self.call(LINE, "search", [("ref", "=like", "%:line:%")])
        if lines:
            self.call(LINE, "unlink", lines)
        projects = self.call(PROJECT, "search", [("name", "like", "Civic Voices"), ("active", "in", [True, False])])
        if projects:
            self.call(PROJECT, "unlink", projects)
        codes = ["HR", "TRV", "EQP", "IND"]
        domain = ["|", ("code", "in", codes), ("code", "=like", "PRJ-%"), ("active", "in", [True, False])]
        accounts = self.call(ACCOUNT, "search", domain)
        if accounts:
            self.call(ACCOUNT, "unlink", accounts)
