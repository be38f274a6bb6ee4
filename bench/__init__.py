"""Benchmarks of togrant-odoo-sync: `python -m bench.run` (see bench/README.md)."""
