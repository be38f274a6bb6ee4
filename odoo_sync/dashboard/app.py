"""The dashboard app: pills per tenant, a sync-log browser, the runbook, and the same data as JSON.

Read-only (a read-only database session), HTML-escaped (Jinja autoescape), behind Airflow's authentication and
its authorisation: a user sees the tenants whose sync DAG (``odoo_sync__<tenant>``) Airflow's auth manager lets
them read (``get_authorized_dag_ids``, as Airflow's own DAG list filters), on the page, in every /api route and in
every per-tenant detail (sync log, errors, dry-run money); another tenant's details are a 404, as if absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import psycopg
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from odoo_sync.config import tenants_of_dags
from odoo_sync.dashboard import runbook
from odoo_sync.health.alerts import runbook_anchor
from odoo_sync.store import dashboard as dashboard_store
from odoo_sync.store import db, dry_runs
from odoo_sync.store.dashboard import LogFilter, Tenants

TEMPLATES = Path(__file__).parent / "templates"
DRIFT_LABELS = {"clean": "no drift", "pending": "sync pending", "drift": "drift", "error": "drift check failed"}
DRIFT_RANK = {"clean": 0, "pending": 1, "error": 2, "drift": 3}
STATE_RANK = {"green": 0, "amber": 1, "red": 2}
MAX_CARDS = 24  # more tenants: cards only for those needing attention, the table has everyone
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))


def create_app(authenticate: bool = True) -> FastAPI:
    """Build the app; nothing is connected until a request comes. ``authenticate=False``: every tenant and no
    login, for an app outside Airflow's api-server (the plugin always registers the default)."""
    dependencies = [Depends(_requires_tenant_access())] if authenticate else []
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
    app.state.tenant_access_required = authenticate
    return app


def _requires_tenant_access() -> Any:
    """Airflow's login (401 without one), then the tenants whose DAGs the user may read, kept for the request.

    Lazy: Airflow's API modules load only when the api-server builds the app, never when a DAG file is parsed.
    """
    from airflow.api_fastapi.core_api.security import get_user

    # Depends as a default, not in Annotated: a local name in a string annotation would not resolve (user would
    # become a query parameter).
    def inner(request: Request, user: Any = Depends(get_user)) -> None:  # noqa: B008
        request.state.readable_tenants = readable_tenants(user)

    return inner


def readable_tenants(user: Any) -> frozenset[str]:
    """The tenants whose sync DAG ``user`` may read, by the configured auth manager (teams, FAB roles, ...)."""
    from airflow.api_fastapi.app import get_auth_manager

    return tenants_of_dags(get_auth_manager().get_authorized_dag_ids(user=user, method="GET"))


def tenant_scope(request: Request, tenant: str = "") -> Tenants:
    """The viewer's tenants; a ``tenant`` asked for outside them is a 404 (its existence is not disclosed)."""
    if not request.app.state.tenant_access_required:
        return None
    scope: frozenset[str] | None = getattr(request.state, "readable_tenants", None)
    if scope is None:  # the access dependency did not run: refuse rather than show everyone
        raise HTTPException(403, "tenant access was not established for this request")
    if tenant.strip() and tenant.strip() not in scope:
        raise HTTPException(404, f"no tenant {tenant.strip()!r}")
    return scope


def connection() -> Iterator[psycopg.Connection]:
    """A read-only session on the integration's database, one per request."""
    options = "-c default_transaction_read_only=on -c statement_timeout=10000 -c TimeZone=UTC"
    with psycopg.connect(db.conninfo_for(), options=options, autocommit=True) as conn:
        yield conn


def log_filter(
    scope: Annotated[Tenants, Depends(tenant_scope)],
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
        scope,
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
ScopeDep = Annotated[Tenants, Depends(tenant_scope)]


def page(flt: FilterDep, conn: ConnDep) -> HTMLResponse:
    """The page: pills, then the filtered sync log, of the viewer's tenants."""
    states = dashboard_store.health_states(conn, flt.tenants)
    rows, has_next = dashboard_store.sync_log_page(conn, flt)
    html = _env.get_template("dashboard.html").render(
        states=states,
        dry_runs=dry_runs.recent(conn, flt.tenants),
        counts=_counts(states),
        rows=rows,
        has_next=has_next,
        flt=flt,
        tenants=dashboard_store.log_tenants(conn, flt.tenants),
        outcomes=dashboard_store.OUTCOMES,
        query=_query_string(flt),
        runbook_anchor=runbook_anchor,
        drift_labels=DRIFT_LABELS,
        drift_rank=DRIFT_RANK,
        state_rank=STATE_RANK,
        cards_all=len(states) <= MAX_CARDS,
    )
    return HTMLResponse(html)


def health_json(conn: ConnDep, scope: ScopeDep, state: str = "", q: str = "") -> JSONResponse:
    """The viewer's tenants (counts over them); ``state`` (green, amber, red or drift) and ``q`` filter."""
    states = dashboard_store.health_states(conn, scope)
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
