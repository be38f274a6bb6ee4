"""The integration's own tables in PostgreSQL (schema ``odoo_sync``): all their SQL, one module per table or concern.

``ledger`` (idempotency keys), ``records`` (what Odoo last received), ``sync_log`` (the audit trail), ``watermarks``
(the line cursor), ``bindings`` (tenant -> Odoo database), ``dry_runs``, ``health`` (pings, states), ``incidents``,
``drift`` (checks, repair marks), ``dashboard`` (the health page's reads), ``locks`` (advisory locks),
``retention``, ``migrate`` and ``db`` (connections). The store imports only the package's top-level modules: the
row types it reads and writes are defined here, and the packages above import them from here.
"""
