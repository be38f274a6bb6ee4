"""togrant-odoo-sync: mirror a grant platform's tenants into Odoo 17+ analytic accounting."""

from __future__ import annotations

__version__ = "0.2.0"
