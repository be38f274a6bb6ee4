-- Demo tenant `acme`: two projects, four donor categories, twelve budget lines, 320 spending lines across 2026.
-- Deterministic (no random()), re-runnable: it replaces acme's rows.
DELETE FROM togrant.spending_lines WHERE tenant_id = 'acme';
DELETE FROM togrant.budget_lines WHERE tenant_id = 'acme';
DELETE FROM togrant.budget_categories WHERE tenant_id = 'acme';
DELETE FROM togrant.projects WHERE tenant_id = 'acme';

INSERT INTO togrant.projects (tenant_id, code, name, status, updated_at) VALUES
    ('acme', 'PRJ-001', 'Civic Voices Uganda', 'active', '2026-01-01 08:00+00'),
    ('acme', 'PRJ-002', 'Civic Voices Burundi', 'active', '2026-01-01 08:00+00');

INSERT INTO togrant.budget_categories (tenant_id, code, name, updated_at) VALUES
    ('acme', 'HR', 'Human resources', '2026-01-01 08:00+00'),
    ('acme', 'TRV', 'Travel', '2026-01-01 08:00+00'),
    ('acme', 'EQP', 'Equipment', '2026-01-01 08:00+00'),
    ('acme', 'IND', 'Indirect costs', '2026-01-01 08:00+00');

INSERT INTO togrant.budget_lines (tenant_id, project_code, code, name, category_code, updated_at)
SELECT 'acme', p.code, l.code, l.name, l.category, '2026-01-01 08:00+00'
FROM (VALUES ('PRJ-001'), ('PRJ-002')) AS p(code)
CROSS JOIN (VALUES
    ('1.1.1.a', 'Project Director', 'HR'),
    ('1.1.2', 'Finance Officer', 'HR'),
    ('2.1', 'International flights', 'TRV'),
    ('2.2', 'Local travel', 'TRV'),
    ('3.1', 'Laptops', 'EQP'),
    ('4.1', 'Indirect costs', 'IND')
) AS l(code, name, category);

INSERT INTO togrant.spending_lines
    (tenant_id, id, project_code, budget_line_code, date, description, amount, currency, status, revision, updated_at)
SELECT
    'acme',
    'SL-' || lpad(i::text, 5, '0'),
    CASE WHEN i % 3 = 0 THEN 'PRJ-002' ELSE 'PRJ-001' END,
    (ARRAY['1.1.1.a', '1.1.2', '2.1', '2.2', '3.1', '4.1'])[1 + (i / 3) % 6],
    DATE '2026-01-01' + (i * 29 % 320),
    (ARRAY['Salary share', 'Flight Kampala-Nairobi', 'Taxi to workshop', 'Laptop for field officer',
           'Overheads', 'Per diem'])[1 + (i / 3) % 6] || ' #' || i,
    to_char(50 + (i * 7919 % 5000) + 0.25 * (i % 4), 'FM999990.00'),
    'EUR',
    'posted',
    1,
    (DATE '2026-01-01' + (i * 29 % 320))::timestamp + interval '10 hours' + (i % 60) * interval '1 minute'
FROM generate_series(1, 320) AS i;
