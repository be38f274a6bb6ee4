"""Rebuild a tenant's records from Odoo: the records are a cache of what Odoo holds, and Odoo carries our markers.

When the records and Odoo disagree (the per-run probe, ``odoo_sync.sync.probe``), on every reconciliation, or when
asked (the ``rebuild`` param, or ``python -m odoo_sync.sync.rebuild --tenant X``), the lines step first reads
Odoo, paged by id: our accounts by code, projects by their account, lines by ``ref`` (tenant, entity, source id,
generation) with the fields the sync owns. Each record found is adopted by its source identity whatever its
generation; surplus copies (an older generation, a duplicate) are removed through the circuit breaker; a record
Odoo no longer holds becomes absent. The reference steps and a full pass over the source then plan against the
rebuilt records as on any run: missing records are created again, records whose values differ written again as
the source says, records whose source row is gone removed (breaker). Nothing is written when nothing differs.

Every record put back or removed is named in the run's log and in ``sync_log`` (method ``rebuild``) with why. A
dry run rebuilds into a draft that is rolled back: it shows the plan, and saves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from odoo_sync.odoo.client import major_version
from odoo_sync.store import db
from odoo_sync.store import rebuild as store
from odoo_sync.store.records import RecordStore
from odoo_sync.store.sync_log import Entity
from odoo_sync.sync import probe
from odoo_sync.sync.context import OdooContext
from odoo_sync.sync.cursor import Window
from odoo_sync.sync.from_odoo import Findings, model_of, rebuild_lines, rebuild_reference
from odoo_sync.sync.lines import SPEC as LINES
from odoo_sync.sync.lines import line_targets
from odoo_sync.sync.mapping import LineTargets
from odoo_sync.sync.reference import sync_budget_lines, sync_categories, sync_projects
from odoo_sync.sync.runtime import Session

SHOWN = 10  # record ids named per finding in the task log (sync_log has them all)
log = logging.getLogger(__name__)


# -- when ------------------------------------------------------------------------------------------------------
def prepare_lines(s: Session, octx: OdooContext, window: Window, *, asked: bool) -> tuple[LineTargets, Window]:
    """Before the lines are synced: rebuild the records from Odoo when asked, on a reconciliation, or when the
    probe finds Odoo and the records disagreeing; a rebuild widens the run to every line."""
    forget_in_doubt(s)
    if asked:
        why: str | None = "asked for by the run's params"
    elif window.full:
        why = f"reconciliation ({window.why})"
    else:
        why = _probe(s, octx)
    if why is None:
        return line_targets(s, octx), window
    log.warning("tenant %s: the records are rebuilt from Odoo: %s", s.tenant.tenant_id, why)
    targets = rebuild(s, octx)
    if not window.full:
        window = replace(window, start=None, end=None, full=True, why=f"records rebuilt from Odoo: {why}")
    return targets, window


def _probe(s: Session, octx: OdooContext) -> str | None:
    major = major_version({"server_version": octx.server_version}) or 17
    in_odoo = probe.odoo_footprint(s.hook, s.tenant.tenant_id, major)
    return probe.disagreement(in_odoo, store.footprint(s.records.conn, s.tenant.tenant_id, LINES.entity_type))


def forget_in_doubt(s: Session) -> None:
    """Writes an interrupted run may or may not have delivered: their records are written again in full."""
    if s.dry_run is not None:
        return
    doubtful = store.forget_in_doubt_writes(s.conn, s.tenant.tenant_id)
    if doubtful:
        log.warning(
            "tenant %s: %d records had a write in doubt (an interrupted run); they are written again in full: %s",
            s.tenant.tenant_id,
            len(doubtful),
            ", ".join(f"{e}:{i}" for e, i in doubtful[:SHOWN]),
        )


# -- what ------------------------------------------------------------------------------------------------------
def rebuild(s: Session, octx: OdooContext) -> LineTargets:
    """Accounts and projects from Odoo, the reference steps again (what is missing is created), then the lines."""
    for findings in rebuild_reference(s, octx):
        report(s, findings)
    sync_projects(s, octx)
    sync_categories(s, octx)
    sync_budget_lines(s, octx)
    targets = line_targets(s, octx)
    report(s, rebuild_lines(s, targets))
    return targets


# -- telling ---------------------------------------------------------------------------------------------------
def report(s: Session, findings: Findings) -> None:
    """The run's log says what the rebuild found; ``sync_log`` names each record put back or removed, with why."""
    tenant, f = s.tenant.tenant_id, findings
    log.info(
        "tenant %s: %s: %d read from Odoo, %d adopted, %d edited in Odoo, %d gone from Odoo, %d surplus copies",
        tenant,
        f.entity_type,
        f.read,
        f.adopted,
        len(f.edited),
        len(f.missing),
        len(f.surplus),
    )
    for kind, items in (("edited in Odoo", f.edited), ("gone from Odoo", f.missing), ("surplus", f.surplus)):
        if items:
            named = ", ".join(f"{e} (id {i})" for e, i, _ in items[:SHOWN])
            more = f" and {len(items) - SHOWN:,} more" if len(items) > SHOWN else ""
            log.warning("tenant %s: %s %s: %s%s; e.g. %s", tenant, f.entity_type, kind, named, more, items[0][2])
    if s.dry_run is None:
        changes = f.edited + f.missing + f.surplus
        notes = [(Entity(f.entity_type, e, "rebuild"), why, odoo_id) for e, odoo_id, why in changes]
        s.sync_log.record_findings(model_of(f.entity_type), notes)


# -- a dry run's draft -----------------------------------------------------------------------------------------
class _Draft:
    """A connection whose commits are held back: the dry run's rebuilt records are rolled back at its end."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def commit(self) -> None:
        """Held back (the draft ends in a rollback)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@contextmanager
def draft_records(s: Session) -> Iterator[None]:
    """In a dry run, the records are rebuilt into a draft (an uncommitted transaction of a connection of its
    own) that the lines are planned against, and that is rolled back at the end."""
    if s.dry_run is None:
        yield
        return
    real = s.records
    with db.connect() as conn:
        s.records, s.draft = RecordStore(_Draft(conn), s.tenant.tenant_id), True  # type: ignore[arg-type]
        try:
            yield
        finally:
            conn.rollback()
            s.records, s.draft = real, False


# -- the command -----------------------------------------------------------------------------------------------
def run(tenant_id: str, *, dry_run: bool) -> str:
    """Rebuild one tenant's records from Odoo and sync every line, as a DAG run with ``rebuild`` would; returns
    the plan (dry run) or the summary table."""
    from odoo_sync.odoo.json2 import api_of
    from odoo_sync.store.migrate import migrate
    from odoo_sync.sync.binding import check_binding, odoo_identity
    from odoo_sync.sync.lines import sync_lines
    from odoo_sync.sync.plans import resolve_context
    from odoo_sync.sync.runtime import session

    with db.connect() as conn:
        migrate(conn)  # our database may have been lost: the schema first
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    context = {"run_id": f"manual__rebuild_{stamp}", "params": {"rebuild": True, "dry_run": dry_run}}
    with session(tenant_id, context) as s:
        octx = replace(resolve_context(s.hook, s.tenant), odoo_identity=odoo_identity(s.hook), api=api_of(s.hook))
        check_binding(s.conn, tenant_id, s.hook, octx)
        with draft_records(s):
            targets, window = prepare_lines(s, octx, Window(None, None, None, True, why="rebuild"), asked=True)
            sync_lines(s, targets, window)
        return s.dry_run.table() if s.dry_run is not None else s.summary.table()


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m odoo_sync.sync.rebuild",
        description="Rebuild a tenant's records from its Odoo, then sync every line. The dry run's plan comes first.",
    )
    parser.add_argument("--tenant", required=True, help="the tenant id (tenants.yaml)")
    parser.add_argument("--dry-run", action="store_true", help="show the plan and stop")
    parser.add_argument("--yes", action="store_true", help="apply the plan without asking")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(run(args.tenant, dry_run=True))
    if args.dry_run:
        return
    if not args.yes and input("Apply this plan? [y/N] ").strip().lower() not in ("y", "yes"):
        raise SystemExit("nothing applied")
    print(run(args.tenant, dry_run=False))


if __name__ == "__main__":
    main()
