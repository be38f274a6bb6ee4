"""A tenant's world for scenario tests: the source database, the test Odoo, runs of the real DAG, and the check
that matters to finance: Odoo holds exactly what the source says, line by line and per plan."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

from odoo_test_server import FakeOdoo
from odoo_test_server.convert import float_round
from tests.conftest import REPO, set_airflow_conn
from tests.integration.conftest import odoo_conn
from tests.scenarios.real_odoo import RealOdoo, configured

LINE, ACCOUNT, PROJECT = "account.analytic.line", "account.analytic.account", "project.project"
PLAN = "account.analytic.plan"
CATEGORY, BUDGET_LINE = "Donor budget line", "Donor budget detail"  # the default plan names (config.PlanNames)
# The calls that change Odoo's records, by what they do: values that differ per record are written with
# load, or web_save_multi on 19 (hook.per_record_method), and a write counted only as "write" misses those.
MUTATIONS = {"create": ("create",), "write": ("write", "load", "web_save_multi"), "unlink": ("unlink",)}
TENANT_YAML = """tenants:
  - tenant_id: {tenant}
    display_name: {tenant} scenarios
    schedule: '0 * * * *'
    start_date: 2026-01-01
    calls_per_second: 1000
{extra}"""
# What finance's reports group by: plan column -> the source expression it must equal.
EXPECTED_LINES = """
SELECT s.id, s.amount, s.date, s.description, s.project_code, b.category_code,
       s.project_code || '/' || s.budget_line_code AS budget_line, upper(s.currency)
FROM togrant.spending_lines s
JOIN togrant.projects p ON p.tenant_id = s.tenant_id AND p.code = s.project_code
JOIN togrant.budget_lines b ON b.tenant_id = s.tenant_id AND b.project_code = s.project_code
     AND b.code = s.budget_line_code
JOIN togrant.budget_categories c ON c.tenant_id = s.tenant_id AND c.code = b.category_code
WHERE s.tenant_id = %s AND s.status = 'posted' AND s.id <> ALL(%s)
"""
_ids = itertools.count(1)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class World:
    """One tenant: its source rows (schema togrant), its test Odoo, its tenants.yaml."""

    db: psycopg.Connection
    odoo: Any  # FakeOdoo, or RealOdoo
    tenants_file: Path
    tenant: str = "acme"
    decimals: int = 2
    rounding: float | None = None  # the company currency's rounding factor; None: 10**-decimals
    currency: str = "EUR"
    rates: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # the company's rates in Odoo

    def __post_init__(self) -> None:
        if isinstance(self.odoo, RealOdoo):  # the seed's lines are in EUR; a real lab may keep its books in USD
            self.currency = self.odoo.company_currency()
            self.sql("UPDATE togrant.spending_lines SET currency = %s WHERE currency = 'EUR'", self.currency)

    # -- configuration ----------------------------------------------------------------------------------
    def configure(self, extra: str = "") -> None:
        self.tenants_file.write_text(TENANT_YAML.format(tenant=self.tenant, extra=extra))

    # -- the source, changed as the grant platform would (updated_at = now unless said otherwise) ---------
    def sql(self, statement: str, *params: Any) -> None:
        self.db.execute(statement, params)  # type: ignore[arg-type]
        self.db.commit()

    def add_line(self, project: str = "PRJ-001", budget_line: str = "2.1", amount: str = "100.00", **cols: Any) -> str:
        line_id = cols.pop("id", f"NEW-{next(_ids):05d}")
        row = {
            "tenant_id": self.tenant,
            "id": line_id,
            "project_code": project,
            "budget_line_code": budget_line,
            "date": "2026-06-01",
            "description": f"scenario line {line_id}",
            "amount": amount,
            "currency": self.currency,
            "updated_at": now(),
            **cols,
        }
        names = ", ".join(row)
        self.sql(
            f"INSERT INTO togrant.spending_lines ({names}) VALUES ({', '.join(['%s'] * len(row))})",  # noqa: S608
            *row.values(),
        )
        return str(line_id)

    def edit(self, line_id: str, updated_at: datetime | None = None, **cols: Any) -> None:
        sets = ", ".join(f"{c} = %s" for c in cols)
        self.sql(
            f"UPDATE togrant.spending_lines SET {sets}, updated_at = %s WHERE tenant_id = %s AND id = %s",  # noqa: S608
            *cols.values(),
            updated_at or now(),
            self.tenant,
            line_id,
        )

    def delete(self, *line_ids: str) -> None:
        self.sql(
            "DELETE FROM togrant.spending_lines WHERE tenant_id = %s AND id = ANY(%s)", self.tenant, list(line_ids)
        )

    def line_ids(self, status: str = "posted") -> list[str]:
        rows = self.db.execute(
            "SELECT id FROM togrant.spending_lines WHERE tenant_id = %s AND status = %s ORDER BY id",
            (self.tenant, status),
        ).fetchall()
        self.db.commit()
        return [r[0] for r in rows]

    # -- runs -------------------------------------------------------------------------------------------
    def run(self, logical_date: datetime | None = None, **conf: object) -> str:
        """One run of the real DAG (dag.test); returns its final state."""
        from airflow.dag_processing.dagbag import DagBag

        dag = DagBag(dag_folder=str(REPO / "dags")).dags[f"odoo_sync__{self.tenant}"]
        return str(dag.test(logical_date=logical_date, run_conf=conf or None).state)

    def mutations(self) -> dict[str, int]:
        return {kind: sum(self.odoo.count(method=m) for m in methods) for kind, methods in MUTATIONS.items()}

    # -- the check --------------------------------------------------------------------------------------
    def assert_converged(self, rejected: tuple[str, ...] = ()) -> int:
        """Odoo's lines equal the source's valid posted lines exactly: per line, and per plan's totals.

        ``rejected`` lines are left out of both sides (the sync keeps what Odoo had; they are reported).
        Returns the number of lines compared.
        """
        expected = self._expected(rejected)
        actual = self._actual(rejected)
        assert sorted(actual) == sorted(expected), _diff(expected, actual)
        for line_id, want in expected.items():
            assert actual[line_id] == want, f"line {line_id}: Odoo {actual[line_id]} != source {want}"
        for column in range(3, 6):  # project, category, budget line: finance's three reports
            assert _totals(actual, column) == _totals(expected, column)
        return len(expected)

    def add_rate(self, currency: str, day: str, rate: float, company: int | None = None) -> None:
        """A rate of the company in Odoo (units of ``currency`` per unit of the company currency), as finance
        would enter it under Accounting > Configuration > Currencies."""
        if isinstance(self.odoo, RealOdoo):
            self.odoo.add_rate(currency, day, rate)
        else:
            currencies = {c["name"]: c["id"] for c in self.odoo.records("res.currency")}
            company = company or self.odoo.store.tables["res.users"][2]["company_id"]
            vals = {"name": day, "rate": rate, "currency_id": currencies[currency], "company_id": company}
            self.odoo.store.create("res.currency.rate", [vals], 1)
        self.rates.setdefault(currency, []).append((day, rate))

    def _expected(self, rejected: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
        rows = self.db.execute(EXPECTED_LINES, (self.tenant, list(rejected))).fetchall()
        self.db.commit()
        out = {}
        for r in rows:
            amount, name = float(r[1]), r[3]
            if r[7] != self.currency:  # Odoo's _convert, computed here independently: amount * (1 / rate of the day)
                rate = max((d, v) for d, v in self.rates[r[7]] if d <= r[2].isoformat())[1]
                amount, name = amount * (1 / rate), f"{name} [{r[1]} {r[7]}]"
            out[r[0]] = (-self.odoo_round(amount), r[2].isoformat(), name, r[4], r[5], r[6])
        return out

    def odoo_round(self, amount: float) -> Decimal:
        """What Odoo stores for ``amount`` in the company currency: res.currency.round, then decimal_places."""
        rounding = self.rounding or 10.0**-self.decimals
        return Decimal(f"{float_round(amount, rounding):.{self.decimals}f}")

    def _actual(self, rejected: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
        accounts = {a["id"]: a for a in self.odoo.records(ACCOUNT)}
        plans = self.plans()
        out: dict[str, tuple[Any, ...]] = {}
        refs = Counter()
        for line in self.odoo.records(LINE):
            tenant, entity, line_id, _ = str(line["ref"]).split(":")
            assert (tenant, entity) == (self.tenant, "line"), f"a line that is not ours: {line['ref']}"
            refs[line_id] += 1
            if line_id in rejected:
                continue
            codes = []
            for role in ("project", "category", "budget_line"):
                plan_id, column = plans[role]
                account = accounts[line[column]]
                assert account["plan_id"] == plan_id, f"line {line_id}: {column} holds an account of another plan"
                codes.append(account["code"])
            amount = Decimal(str(line["amount"])).quantize(Decimal(1).scaleb(-self.decimals))
            out[line_id] = (amount, str(line["date"]), line["name"], *codes)
        duplicates = {k: n for k, n in refs.items() if n > 1}
        assert not duplicates, f"duplicated lines in Odoo: {duplicates}"
        return out

    def plans(self) -> dict[str, tuple[int, str]]:
        """Per role, the plan's id and its column on lines, read from the server (17, 18 and 19 differ)."""
        roots = {p["name"]: p["id"] for p in self.odoo.records(PLAN) if not p["parent_id"]}
        ids = {"project": self._project_plan_id(), "category": roots[CATEGORY], "budget_line": roots[BUDGET_LINE]}
        return {role: (i, "account_id" if role == "project" else f"x_plan{i}_id") for role, i in ids.items()}

    def _project_plan_id(self) -> int:
        if isinstance(self.odoo, RealOdoo):
            return self.odoo.project_plan_id()
        params = {p["key"]: p["value"] for p in self.odoo.records("ir.config_parameter")}
        return int(params["analytic.project_plan"])


def _totals(lines: dict[str, tuple[Any, ...]], column: int) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for values in lines.values():
        out[values[column]] = out.get(values[column], Decimal(0)) + values[0]
    return out


def _diff(expected: dict[str, Any], actual: dict[str, Any]) -> str:
    missing = sorted(set(expected) - set(actual))[:10]
    extra = sorted(set(actual) - set(expected))[:10]
    return f"missing in Odoo: {missing}; in Odoo but not in the source: {extra}"


def seed_source(db: psycopg.Connection, pg_database: str) -> None:
    """The demo tenant's rows (2 projects, 4 categories, 12 budget lines, 320 lines) in schema togrant."""
    db.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
    db.execute((REPO / "include/demo/seed.sql").read_text())
    db.commit()
    set_airflow_conn(
        "togrant_source", conn_type="postgres", host="127.0.0.1", port=5432, login="postgres", schema=pg_database
    )


def start_odoo(pg: psycopg.Connection, tenant: str = "acme") -> Any:
    """The test Odoo server, or the real Odoo named by ODOO_TEST_* (cleaned before and after)."""
    real = configured()
    if real:
        server: Any = RealOdoo(real["url"], real["db"], real["user"], real["password"], pg).start()
    else:
        server = FakeOdoo(db=tenant, login="admin", password="admin").start()
    odoo_conn(f"odoo_{tenant}", server, password=server.password, tenant_id=tenant, timeout=60)
    return server


def hours_ago(hours: float) -> datetime:
    return now() - timedelta(hours=hours)
