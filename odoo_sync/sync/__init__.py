"""The tenant sync: source rows to Odoo, step by step (projects, plan 2, plan 3, lines)."""
