"""Source data for the reliability suite: a tenant's grant structure and N spending lines (deterministic)."""

from __future__ import annotations

import psycopg

from tests.conftest import REPO

PROJECTS = ("PRJ-001", "PRJ-002")
BUDGET_LINES = (
    ("1.1.1.a", "Project Director", "HR"),
    ("1.1.2", "Finance Officer", "HR"),
    ("2.1", "International flights", "TRV"),
    ("2.2", "Local travel", "TRV"),
    ("3.1", "Laptops", "EQP"),
    ("4.1", "Indirect costs", "IND"),
)
CATEGORIES = (("HR", "Human resources"), ("TRV", "Travel"), ("EQP", "Equipment"), ("IND", "Indirect costs"))


def create_schema(conn: psycopg.Connection) -> None:
    conn.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
    conn.commit()


def seed_tenant(conn: psycopg.Connection, tenant: str, n_lines: int) -> list[str]:
    """Replace ``tenant``'s source rows: 2 projects, 4 categories, 12 budget lines, ``n_lines`` lines.

    Returns the spending line ids. Every line is valid and posted, updated in 2026 (before any test run).
    """
    for table in ("spending_lines", "budget_lines", "budget_categories", "projects"):
        conn.execute(f"DELETE FROM togrant.{table} WHERE tenant_id = %s", (tenant,))  # noqa: S608 - fixed names
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO togrant.projects (tenant_id, code, name, status, updated_at)"
            " VALUES (%s, %s, %s, 'active', '2026-01-01 08:00+00')",
            [(tenant, code, f"{tenant} project {code}") for code in PROJECTS],
        )
        cur.executemany(
            "INSERT INTO togrant.budget_categories (tenant_id, code, name, updated_at)"
            " VALUES (%s, %s, %s, '2026-01-01 08:00+00')",
            [(tenant, code, name) for code, name in CATEGORIES],
        )
        cur.executemany(
            "INSERT INTO togrant.budget_lines (tenant_id, project_code, code, name, category_code, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, '2026-01-01 08:00+00')",
            [(tenant, p, code, name, cat) for p in PROJECTS for code, name, cat in BUDGET_LINES],
        )
        cur.execute(
            "INSERT INTO togrant.spending_lines (tenant_id, id, project_code, budget_line_code, date, description,"
            " amount, currency, status, revision, updated_at)"
            " SELECT %(tenant)s, 'SL-' || lpad(i::text, 5, '0'),"
            "  CASE WHEN i %% 3 = 0 THEN 'PRJ-002' ELSE 'PRJ-001' END,"
            "  (ARRAY['1.1.1.a', '1.1.2', '2.1', '2.2', '3.1', '4.1'])[1 + (i / 3) %% 6],"
            "  DATE '2026-01-01' + (i * 29 %% 300), 'Spending #' || i,"
            "  to_char(50 + (i * 7919 %% 5000) + 0.25 * (i %% 4), 'FM999990.00'), 'EUR', 'posted', 1,"
            "  TIMESTAMPTZ '2026-01-01 10:00+00' + (i * 29 %% 300) * interval '1 day' + (i %% 60) * interval '1 minute'"
            " FROM generate_series(1, %(n)s) AS i",
            {"tenant": tenant, "n": n_lines},
        )
    conn.commit()
    return [f"SL-{i:05d}" for i in range(1, n_lines + 1)]
