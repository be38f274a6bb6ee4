"""Integration health: ping every tenant's Odoo, green/amber/red, page on-call about red tenants."""
