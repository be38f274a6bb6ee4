"""Serve the runbook (odoo_sync/runbook/integration-health.md, shipped in the package) that the alert mails link to.

Headings get GitHub-style anchors, so the same links work on GitHub and on the health page.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources.abc import Traversable

from markdown_it import MarkdownIt

from odoo_sync.paths import RUNBOOK_FILE

DOC = RUNBOOK_FILE


def slug(heading: str) -> str:
    """GitHub's anchor for a heading, so links work both on GitHub and here."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@lru_cache(maxsize=1)
def render(path: Traversable = DOC) -> str:
    """The chapter as a standalone HTML page; raw HTML in the markdown is escaped, not rendered."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(path.read_text())
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("id", slug(tokens[i + 1].content))
    body = md.renderer.render(tokens, md.options, {})
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Odoo integration health: runbook</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5}code,pre{background:#f3f4f6;border-radius:4px;padding:0 .2em}pre{padding:.6em;"
        "overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3em .6em}</style>"
        f"</head><body>{body}</body></html>"
    )
