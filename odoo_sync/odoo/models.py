"""The Odoo models the integration names, each once (Odoo's technical names; imported, never spelled again)."""

from __future__ import annotations

# Written: the only three models the sync creates, writes, archives or unlinks (the guard enforces it).
PROJECT = "project.project"
ACCOUNT = "account.analytic.account"
LINE = "account.analytic.line"
# Created only as the opt-in setup step (``create_plans: true``); otherwise read.
PLAN = "account.analytic.plan"
# Read only.
USER = "res.users"
COMPANY = "res.company"
CURRENCY = "res.currency"
CURRENCY_RATE = "res.currency.rate"
CONFIG_PARAMETER = "ir.config_parameter"
# Finance's own records: never written, named by the guard when it refuses them.
FINANCE_MODELS = ("res.partner", "account.move", "account.move.line", "account.account")
