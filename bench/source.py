"""A grant platform's source rows for one tenant, generated in SQL: N spending lines and their accounts."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

from bench.env import REPO

# Every generated line changes inside this window: one data interval syncs them all.
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 7, 1, tzinfo=UTC)
BUDGET_LINES = ("1.1.1.a", "1.1.2", "2.1", "2.2", "3.1", "4.1")
LINES_PER_PROJECT = 1000
# The first lines share one budget line (PRJ-0001 / 2.1, category TRV): the category-move row moves it to EQP.
MOVE_LINES = 2000
MOVE_PROJECT, MOVE_BUDGET_LINE = "PRJ-0001", "2.1"

_ACCOUNTS = """
INSERT INTO togrant.projects (tenant_id, code, name, updated_at)
SELECT %(t)s, 'PRJ-' || lpad(p::text, 4, '0'), 'Project ' || p, '2026-01-01 08:00+00'
FROM generate_series(1, %(projects)s) AS p;
INSERT INTO togrant.budget_categories (tenant_id, code, name, updated_at) VALUES
    (%(t)s, 'HR', 'Human resources', '2026-01-01 08:00+00'), (%(t)s, 'TRV', 'Travel', '2026-01-01 08:00+00'),
    (%(t)s, 'EQP', 'Equipment', '2026-01-01 08:00+00'), (%(t)s, 'IND', 'Indirect costs', '2026-01-01 08:00+00');
INSERT INTO togrant.budget_lines (tenant_id, project_code, code, name, category_code, updated_at)
SELECT %(t)s, p.code, l.code, l.name, l.category, '2026-01-01 08:00+00'
FROM togrant.projects p CROSS JOIN (VALUES ('1.1.1.a', 'Project Director', 'HR'), ('1.1.2', 'Finance Officer', 'HR'),
    ('2.1', 'International flights', 'TRV'), ('2.2', 'Local travel', 'TRV'), ('3.1', 'Laptops', 'EQP'),
    ('4.1', 'Indirect costs', 'IND')) AS l(code, name, category)
WHERE p.tenant_id = %(t)s;
"""

_LINES = """
INSERT INTO togrant.spending_lines
    (tenant_id, id, project_code, budget_line_code, date, description, amount, currency, updated_at)
SELECT %(t)s, 'SL-' || lpad(i::text, 7, '0'),
    CASE WHEN i <= %(move)s THEN 'PRJ-0001' ELSE 'PRJ-' || lpad((1 + i %% %(projects)s)::text, 4, '0') END,
    CASE WHEN i <= %(move)s THEN '2.1'
        ELSE (ARRAY['1.1.1.a', '1.1.2', '2.1', '2.2', '3.1', '4.1'])[1 + (i / 7) %% 6] END,
    DATE '2026-01-01' + (i %% 180)::int, 'Spending line #' || i,
    to_char(50 + (i * 7919 %% 5000) + 0.25 * (i %% 4), 'FM999990.00'),
    'EUR', TIMESTAMPTZ '2026-01-01 00:00+00' + (i %% 180) * interval '1 day' + (i %% 1440) * interval '1 minute'
FROM generate_series(1::bigint, %(n)s) AS i;
"""


def projects_for(n_lines: int) -> int:
    return max(2, -(-n_lines // LINES_PER_PROJECT))


def seed(dsn: str, tenant_id: str, n_lines: int) -> dict[str, int]:
    """Create the source contract's tables and fill them; return how many rows of each kind."""
    projects = projects_for(n_lines)
    params = {"t": tenant_id, "projects": projects, "n": n_lines, "move": MOVE_LINES}
    with psycopg.connect(dsn) as conn:
        conn.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
        with conn.cursor() as cur:
            for statement in (*_ACCOUNTS.split(";")[:-1], _LINES):
                cur.execute(statement, params)
        conn.execute("ANALYZE togrant.spending_lines")
    return {"projects": projects, "categories": 4, "budget_lines": projects * len(BUDGET_LINES), "lines": n_lines}
