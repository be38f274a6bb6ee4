"""Hook-level lineage: the source relations a sync reads and the Odoo models it writes.

Both are reported to Airflow's hook lineage collector as assets; a lineage reader such as the OpenLineage
provider turns them into the task's inputs and outputs. An Odoo model is the asset ``odoo://<host>/<db>/<model>``
(scheme registered by the provider, odoo_sync/airflow/provider.py), which OpenLineage names ``<model>`` in namespace
``odoo://<host>/<db>``; a source relation is the postgres provider's ``postgres://<host>:<port>/<db>/<schema>/
<table>``, named ``<db>.<schema>.<table>`` in namespace ``postgres://<host>:<port>``. See docs/lineage.md.

Lineage is observability: a failure here is logged and never fails a sync.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

from odoo_sync.odoo.guard import MUTATING_METHODS
from odoo_sync.paths import SOURCE_SQL_DIR

if TYPE_CHECKING:
    import psycopg
    from airflow.sdk import Asset

    from odoo_sync.odoo.client import OdooEndpoint

log = logging.getLogger(__name__)

SCHEME = "odoo"
DEFAULT_PORTS = {"http": 80, "https": 443}
DEFAULT_PG_SCHEMA = "public"
_MODEL = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
_PLACEHOLDER = re.compile(r"%\(\w+\)s")  # psycopg's named parameters, which the SQL parser cannot read


# -- what the hook and the source reader call -------------------------------------------------------------
def odoo_call(context: Any, endpoint: OdooEndpoint, model: str | None, method: str) -> None:
    """Report ``model`` of this Odoo as an output when ``method`` changed it (create, write, unlink)."""
    if model is None or method not in MUTATING_METHODS:
        return
    try:
        if (collector := _collector()) is not None:
            kwargs = {"url": endpoint.url, "database": endpoint.db, "model": model}
            collector.add_output_asset(context=context, scheme=SCHEME, asset_kwargs=kwargs)
    except Exception:
        log.warning("Lineage of a write to %s not reported", model, exc_info=True)


def source_read(conn: psycopg.Connection, query_name: str) -> None:
    """Report the relations ``odoo_sync/sql/source/<query_name>.sql`` reads as inputs."""
    try:
        if (collector := _collector()) is None:
            return
        info = conn.info
        host = "localhost" if info.host.startswith("/") else info.host  # a Unix socket is this machine
        for schema, table in relations_read(query_name):
            kwargs = {"host": host, "port": info.port, "database": info.dbname, "schema": schema, "table": table}
            collector.add_input_asset(context=conn, scheme="postgres", asset_kwargs=kwargs)
    except Exception:
        log.warning("Lineage of source query %s not reported", query_name, exc_info=True)


@cache
def relations_read(query_name: str) -> tuple[tuple[str, str], ...]:
    """The (schema, table) pairs a source SQL file reads, as OpenLineage's own SQL parser sees them."""
    import openlineage_sql

    sql = _PLACEHOLDER.sub("NULL", (SOURCE_SQL_DIR / f"{query_name}.sql").read_text())
    parsed = openlineage_sql.parse([sql], dialect="postgres")
    return tuple((t.schema or DEFAULT_PG_SCHEMA, t.name) for t in parsed.in_tables)


def _collector() -> Any:
    """Airflow's hook lineage collector while a task runs; None elsewhere: no task event to attach lineage to.

    Outside a task (benchmarks, tests calling the hook) this also spares the collector's one-off cost: creating it
    loads every plugin and provider (~1-2 s), which a task's process has done already.
    """
    from airflow.sdk import get_current_context

    try:
        get_current_context()
    except RuntimeError:
        return None
    from airflow.providers.common.compat.lineage.hook import get_hook_lineage_collector

    return get_hook_lineage_collector()


# -- the odoo asset-URI scheme: registered under "asset-uris" in provider.py --------------------------------
def odoo_netloc(url: str) -> str:
    """``host[:port]`` of an Odoo URL, lower-cased, the protocol's default port dropped."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    if parts.port is None or parts.port == DEFAULT_PORTS.get(parts.scheme):
        return host
    return f"{host}:{parts.port}"


def create_asset(*, url: str, database: str, model: str, extra: dict[str, Any] | None = None) -> Asset:
    """The asset of one Odoo model in one database: ``odoo://<host[:port]>/<db>/<model>``."""
    from airflow.sdk import Asset

    return Asset(uri=f"{SCHEME}://{odoo_netloc(url)}/{database}/{model}", extra=extra or {})


def sanitize_uri(uri: SplitResult) -> SplitResult:
    """Normalise an ``odoo://`` URI: a host, then ``/<db>/<model>`` (or ``/<model>``: a tenant-level asset)."""
    if not uri.netloc:
        raise ValueError("URI format odoo:// must contain a host")
    parts = uri.path.strip("/").split("/")
    if len(parts) not in (1, 2) or not all(parts) or not _MODEL.match(parts[-1]):
        raise ValueError("URI format odoo:// must be odoo://<host>/<database>/<model>, e.g. .../acme/project.project")
    return uri._replace(netloc=uri.netloc.lower(), path="/" + "/".join(parts))


def convert_asset_to_openlineage(asset: Asset, lineage_context: Any) -> Any:
    """OpenLineage dataset: namespace ``odoo://<host>/<db>``, name the model (``account.analytic.line``)."""
    from airflow.providers.common.compat.openlineage.facet import Dataset

    parsed = urlsplit(asset.uri)
    *database, model = parsed.path.strip("/").split("/")
    namespace = "/".join([f"{SCHEME}://{parsed.netloc}", *database])
    return Dataset(namespace=namespace, name=model)
