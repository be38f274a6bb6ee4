"""Talking to Odoo: the hook, its transports (XML-RPC, JSON-2), the write guard, throttling, lineage."""
