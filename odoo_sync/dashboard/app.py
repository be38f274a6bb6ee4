"""The dashboard app: pills per tenant, a sync-log browser, the runbook, and the same data as JSON.

Read-only (a read-only database session), HTML-escaped (Jinja autoescape), behind Airflow's authentication.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import psycopg
from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from odoo_sync.dashboard import runbook
from odoo_sync.health.alerts import runbook_anchor
from odoo_sync.store import dashboard as dashboard_store
from odoo_sync.store import db, dry_runs
from odoo_sync.store.dashboard import LogFilter

TEMPLATES = Path(__file__).parent / "templates"
DRIFT_LABELS = {"clean": "no drift", "pending": "sync pending", "drift": "drift", "error": "drift check failed"}
DRIFT_RANK = {"clean": 0, "pending": 1, "error": 2, "drift": 3}
STATE_RANK = {"green": 0, "amber": 1, "red": 2}
MAX_CARDS = 24  # more tenants: cards only for those needing attention, the table has everyone
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))


def create_app(authenticate: bool = True) -> FastAPI:
    """Build the app; nothing is connected until a request comes."""
    dependencies = [Depends(_requires_authenticated())] if authenticate else []
    app = FastAPI(
        title="Odoo integration health",
        dependencies=dependencies,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_api_route("/", page, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route("/api/health", health_json, methods=["GET"])
    app.add_api_route("/api/sync-log", sync_log_json, methods=["GET"])
    app.add_api_route("/runbook", runbook_page, methods=["GET"], response_class=HTMLResponse)
    return app


def _requires_authenticated() -> Any:
    from airflow.api_fastapi.core_api.security import requires_authenticated

    return requires_authenticated()


def connection() -> Iterator[psycopg.Connection]:
    """A read-only session on the integration's database, one per request."""
    options = "-c default_transaction_read_only=on -c statement_timeout=10000 -c TimeZone=UTC"
    with psycopg.connect(db.conninfo_for(), options=options, autocommit=True) as conn:
        yield conn


def log_filter(
    tenant: str = "",
    key: str = "",
    outcome: str = "",
    since: str = "",
    until: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=dashboard_store.MAX_PAGE_SIZE)] = 50,
) -> LogFilter:
    """Query string -> LogFilter; empty form fields mean 'any'; times without a zone are UTC."""
    if outcome and outcome not in dashboard_store.OUTCOMES:
        raise HTTPException(422, f"outcome must be one of {', '.join(dashboard_store.OUTCOMES)}")
    return LogFilter(
        tenant.strip() or None,
        key.strip() or None,
        outcome or None,
        _time(since),
        _time(until),
        page,
        page_size,
    )


def _time(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(422, f"not a date/time: {value!r} (use YYYY-MM-DDTHH:MM)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


FilterDep = Annotated[LogFilter, Depends(log_filter)]
ConnDep = Annotated[psycopg.Connection, Depends(connection)]


def page(flt: FilterDep, conn: ConnDep) -> HTMLResponse:
    """The page: pills, then the filtered sync log."""
    states = dashboard_store.health_states(conn)
    rows, has_next = dashboard_store.sync_log_page(conn, flt)
    html = _env.get_template("dashboard.html").render(
        states=states,
        dry_runs=dry_runs.recent(conn),
        counts=_counts(states),
        rows=rows,
        has_next=has_next,
        flt=flt,
        tenants=dashboard_store.log_tenants(conn),
        outcomes=dashboard_store.OUTCOMES,
        query=_query_string(flt),
        runbook_anchor=runbook_anchor,
        drift_labels=DRIFT_LABELS,
        drift_rank=DRIFT_RANK,
        state_rank=STATE_RANK,
        cards_all=len(states) <= MAX_CARDS,
    )
    return HTMLResponse(html)


def health_json(conn: ConnDep, state: str = "", q: str = "") -> JSONResponse:
    """Every tenant (counts over all); ``state`` (green, amber, red or drift) and ``q`` (tenant contains) filter."""
    states = dashboard_store.health_states(conn)
    shown = [s for s in states if _matches(s, state.strip(), q.strip().lower())]
    return JSONResponse(jsonable_encoder({"counts": _counts(states), "tenants": shown}))


def _matches(row: dict[str, Any], state: str, q: str) -> bool:
    in_state = not state or row["state"] == state or row.get("drift_state") == state
    return in_state and (not q or q in str(row["tenant_id"]).lower())


def sync_log_json(flt: FilterDep, conn: ConnDep) -> JSONResponse:
    rows, has_next = dashboard_store.sync_log_page(conn, flt)
    return JSONResponse(
        jsonable_encoder({"page": flt.page, "page_size": flt.page_size, "has_next": has_next, "rows": rows})
    )


def runbook_page() -> HTMLResponse:
    return HTMLResponse(runbook.render())


def _counts(states: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"green": 0, "amber": 0, "red": 0, "drift": 0}
    for s in states:
        counts[s["state"]] = counts.get(s["state"], 0) + 1
        counts["drift"] += s.get("drift_state") == "drift"
    return counts


def _query_string(flt: LogFilter) -> dict[str, str]:
    """The filter as query parameters, for the pager links (Jinja's urlencode escapes them)."""
    pairs = {
        "tenant": flt.tenant,
        "key": flt.key,
        "outcome": flt.outcome,
        "page_size": str(flt.page_size),
        "since": flt.since.strftime("%Y-%m-%dT%H:%M") if flt.since else None,
        "until": flt.until.strftime("%Y-%m-%dT%H:%M") if flt.until else None,
    }
    return {k: v for k, v in pairs.items() if v}
