"""Odoo stays exact when either side loses its memory: our database lost or restored from a backup, the tenant's
Odoo restored from an older dump, both at once, finance's hands on our lines. The real DAG (dag.test()) runs
after each, and Odoo must equal the source line by line and per plan, with no duplicates (issue 18).

Against a real Odoo (``ODOO_TEST_*``), restoring the tenant's Odoo stops the lab server, copies or restores its
database and starts it again: ``ODOO_TEST_LAB_CMD`` names the lab script with its environment
(``env LAB=... PORT=... DB_ACCEPT=... DB_CONTRACT=... bash .../odoo17.sh MIRROR``); without it those tests skip.
"""

from __future__ import annotations

import subprocess
import uuid
import xmlrpc.client
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from odoo_sync.store.migrate import migrate
from odoo_sync.sync import binding, rebuild
from tests.conftest import dags_log_in_as_writer, dsn
from tests.scenarios.real_odoo import RealOdoo
from tests.scenarios.world import LINE, World

pytestmark = pytest.mark.scenarios
TODAYS_CALLS = 9  # a run with nothing to do, before the probe (version, login, plans, columns, company...)


# -- the two sides' backups ----------------------------------------------------------------------------------
class OurBackups:
    """Backups of the integration's own database (schema odoo_sync of the test's database) with pg_dump."""

    def __init__(self, world: World, folder: Path) -> None:
        self.world, self.folder = world, folder
        self.dbname = str(world.db.info.dbname)

    def take(self, name: str) -> Path:
        path = self.folder / f"{name}.dump"
        subprocess.run(["pg_dump", *self._conn(), "-n", "odoo_sync", "-Fc", "-f", str(path), self.dbname], check=True)
        return path

    def restore(self, path: Path) -> None:
        self.world.sql("DROP SCHEMA odoo_sync CASCADE")
        subprocess.run(["pg_restore", *self._conn(), "-d", self.dbname, str(path)], check=True)

    def lose(self) -> None:
        self.world.sql("DROP SCHEMA odoo_sync CASCADE")
        if dags_log_in_as_writer():  # least privilege: the owner recreates the schema first (docs/deploy.md)
            migrate(self.world.db)

    def _conn(self) -> list[str]:
        info = self.world.db.info
        return ["-h", str(info.host), "-p", str(info.port), "-U", str(info.user)]


@pytest.fixture
def backups(world: World, tmp_path: Path) -> OurBackups:
    return OurBackups(world, tmp_path)


class OdooDumps:
    """Dumps of the tenant's Odoo: the test server's whole state, or the lab's database copied by PostgreSQL
    while its server is stopped (``CREATE DATABASE ... TEMPLATE``), as an operator restores a backup."""

    def __init__(self, world: World) -> None:
        self.odoo, self.copies = world.odoo, []

    def take(self) -> Any:
        if not isinstance(self.odoo, RealOdoo):
            return self.odoo.dump()
        name = f"{self.odoo.db}_dump_{uuid.uuid4().hex[:8]}"
        with _lab_stopped():
            _admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.odoo.db}"')
        self.copies.append(name)
        return name

    def restore(self, dump: Any) -> None:
        if not isinstance(self.odoo, RealOdoo):
            self.odoo.restore(dump)
            return
        with _lab_stopped():
            _admin(f'DROP DATABASE "{self.odoo.db}" WITH (FORCE)')
            _admin(f'CREATE DATABASE "{self.odoo.db}" TEMPLATE "{dump}" OWNER odoo')

    def drop(self) -> None:
        for name in self.copies:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def dumps(world: World) -> Iterator[OdooDumps]:
    if isinstance(world.odoo, RealOdoo) and not _lab_cmd():
        pytest.skip("restoring a real Odoo needs ODOO_TEST_LAB_CMD (the lab script that stops and starts it)")
    d = OdooDumps(world)
    yield d
    d.drop()


def _lab_cmd() -> str:
    import os

    return os.environ.get("ODOO_TEST_LAB_CMD", "")


class _lab_stopped:
    def __enter__(self) -> None:
        subprocess.run(f"{_lab_cmd()} --stop", shell=True, check=True, capture_output=True)

    def __exit__(self, *exc: object) -> None:
        # Not captured: the server the script starts keeps its stdout, and a pipe would never reach its end.
        subprocess.run(_lab_cmd(), shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(statement)  # type: ignore[arg-type]


# -- what the scenarios look at ------------------------------------------------------------------------------
def finance(world: World) -> Any:
    """Odoo's external API as finance's own scripts or the UI would use it (not the sync)."""
    o = world.odoo
    common = xmlrpc.client.ServerProxy(f"{o.url}/xmlrpc/2/common")
    uid = common.authenticate(o.db, o.login, o.password, {})
    models = xmlrpc.client.ServerProxy(f"{o.url}/xmlrpc/2/object")

    def call(model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return models.execute_kw(o.db, uid, o.password, model, method, list(args), kwargs)

    return call


def line_of(world: World, line_id: str) -> dict[str, Any]:
    (line,) = [r for r in world.odoo.records(LINE) if str(r["ref"]).split(":")[2] == line_id]
    return line


def calls_since(world: World, since: datetime) -> list[tuple[str | None, str]]:
    """The Odoo calls the sync made since ``since``, one per call, from its own audit trail (sync_log)."""
    rows = world.db.execute(
        "SELECT min(odoo_model), min(method) FROM odoo_sync.sync_log WHERE tenant_id = %s AND ts >= %s"
        " AND call_id IS NOT NULL GROUP BY call_id",
        (world.tenant, since),
    ).fetchall()
    world.db.commit()
    return [(r[0], r[1]) for r in rows]


def findings(world: World) -> dict[str, str]:
    rows = world.db.execute(
        "SELECT entity_id, error FROM odoo_sync.sync_log WHERE method = 'rebuild' AND entity_type = 'line'"
    ).fetchall()
    world.db.commit()
    return {r[0]: r[1] for r in rows}


def history(world: World) -> None:
    """Voids, restores (a second generation of their key), a moved budget line, deletions, edits."""
    ids = world.line_ids()
    for line in ids[:3]:
        world.edit(line, status="void")
    assert world.run() == "success"
    for line in ids[:3]:
        world.edit(line, status="posted")
    assert world.run() == "success"
    world.sql(
        "UPDATE togrant.budget_lines SET category_code = 'EQP', updated_at = now()"
        " WHERE tenant_id = 'acme' AND project_code = 'PRJ-001' AND code = '2.1'"
    )
    world.delete(*ids[10:12])
    world.edit(ids[20], amount="777.77")
    assert world.run() == "success"
    assert world.assert_converged() == 318


def settled(world: World, expected: int) -> None:
    """Odoo equals the source; the next run has nothing to do."""
    assert world.assert_converged() == expected
    world.odoo.reset_calls()
    assert world.run() == "success"
    assert world.mutations() == {"create": 0, "write": 0, "unlink": 0}


@pytest.fixture
def synced(world: World) -> World:
    assert world.run() == "success"
    assert world.assert_converged() == 320
    world.odoo.reset_calls()
    return world


# -- the cost when nothing is wrong --------------------------------------------------------------------------
def test_a_run_with_nothing_to_repair_costs_two_reads_more(synced: World) -> None:
    """The probe: one grouped read (count and sum of our lines) and one search (their highest id)."""
    assert synced.run() == "success"
    since = datetime.now(UTC)
    assert synced.run() == "success"
    calls = calls_since(synced, since)
    assert len(calls) == TODAYS_CALLS + 2, calls
    grouped = "formatted_read_group" if synced.odoo.version >= 19 else "read_group"  # 19 deprecates read_group
    assert sorted(c for c in calls if c[0] == LINE) == [(LINE, "fields_get"), (LINE, grouped), (LINE, "search")]
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}


def test_a_reconciliation_reads_odoo_and_writes_nothing_when_nothing_differs(synced: World) -> None:
    """Issue 18, item 2: the reconciliation reads our lines back from Odoo (paged, the fields we own), then
    compares; with nothing changed on either side it sends no write and logs no finding."""
    since = datetime.now(UTC)
    assert synced.run(reconcile=True) == "success"
    calls = calls_since(synced, since)
    assert (LINE, "search_read") in calls  # the read-back of our lines (one page of 320)
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    assert synced.odoo.count(method="load") == 0  # nor through the import API
    assert findings(synced) == {}
    assert synced.assert_converged() == 320


# -- our database --------------------------------------------------------------------------------------------
def test_our_database_lost_after_voids_restores_moves_and_deletes(synced: World, backups: OurBackups) -> None:
    """The issue's first case: lines past their first generation were created again after the loss."""
    history(synced)
    backups.lose()
    new = synced.add_line()
    synced.odoo.reset_calls()
    assert synced.run() == "success"
    assert synced.assert_converged() == 319  # no line twice: the -g2 lines were adopted by their source id
    assert synced.mutations() == {"create": 1, "write": 0, "unlink": 0}  # only the new line
    assert line_of(synced, new)["ref"] == f"acme:line:{new}:create"
    settled(synced, 319)


def test_our_database_restored_from_backups_taken_at_several_points(synced: World, backups: OurBackups) -> None:
    taken = [backups.take("synced")]
    ids = synced.line_ids()
    for line in ids[:3]:
        synced.edit(line, status="void")
    assert synced.run() == "success"
    taken.append(backups.take("voided"))
    for line in ids[:3]:
        synced.edit(line, status="posted")
    history(synced)  # voids and restores others, moves, deletes, edits
    taken.append(backups.take("moved"))
    added = [synced.add_line(amount=f"{n}.25") for n in range(1, 6)]
    synced.delete(ids[30])
    synced.edit(ids[31], status="void")
    assert synced.run() == "success"
    assert synced.assert_converged() == 321
    for backup in reversed(taken):
        backups.restore(backup)
        synced.odoo.reset_calls()
        assert synced.run() == "success", backup.name
        assert synced.assert_converged() == 321, backup.name
        assert synced.mutations()["create"] == 0, backup.name  # everything was found in Odoo, nothing made twice
        settled(synced, 321)
    assert added


def test_binding_forget_then_a_run_duplicates_nothing(synced: World) -> None:
    """What the binding error recommends (forget) drops records and ledger: the next run adopts from Odoo."""
    history(synced)
    binding.main(["forget", "acme", "--yes", "--dsn", dsn(str(synced.db.info.dbname))])  # as the owner runs it
    synced.odoo.reset_calls()
    assert synced.run() == "success"
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    settled(synced, 318)


# -- the tenant's Odoo ---------------------------------------------------------------------------------------
def test_the_tenants_odoo_restored_from_an_older_dump(synced: World, dumps: OdooDumps) -> None:
    """The issue's second case: 8 lines synced after the dump, 3 amounts changed; both repaired by the next run."""
    dump = dumps.take()
    ids = synced.line_ids()
    for n in range(8):
        synced.add_line(amount=f"{n + 10}.50")
    for line in ids[:3]:
        synced.edit(line, amount="4321.00")
    for line in ids[5:7]:
        synced.edit(line, status="void")
    synced.delete(ids[9])
    assert synced.run() == "success"
    assert synced.assert_converged() == 325
    dumps.restore(dump)
    synced.odoo.reset_calls()
    assert synced.run() == "success"
    settled(synced, 325)  # the voided and deleted lines came back with the dump: removed again


def test_an_odoo_restore_that_keeps_the_count_is_repaired_by_the_reconciliation(
    synced: World, dumps: OdooDumps
) -> None:
    """After the dump only amounts changed (the probe's sum sees it) and texts (only the reconciliation sees it)."""
    dump = dumps.take()
    ids = synced.line_ids()
    synced.edit(ids[0], amount="1.00")
    synced.edit(ids[1], description="renamed after the dump")
    assert synced.run() == "success"
    dumps.restore(dump)
    synced.odoo.reset_calls()
    assert synced.run() == "success"  # the sum of amounts differs: rebuilt, both repaired
    assert synced.assert_converged() == 320
    synced.edit(ids[2], description="renamed again after the dump")
    dump = dumps.take()
    synced.edit(ids[2], description="and again")
    assert synced.run() == "success"
    dumps.restore(dump)
    synced.odoo.reset_calls()
    assert synced.run() == "success"  # count, highest id and sum agree: the probe cannot see a text
    assert line_of(synced, ids[2])["name"] != "and again"
    assert synced.run(reconcile=True) == "success"
    settled(synced, 320)


def test_both_sides_restored_from_backups_of_different_days(
    synced: World, backups: OurBackups, dumps: OdooDumps
) -> None:
    ours = backups.take("monday")
    ids = synced.line_ids()
    for line in ids[:2]:
        synced.edit(line, status="void")
    synced.add_line(amount="12.00")
    assert synced.run() == "success"
    odoo_tuesday = dumps.take()
    for line in ids[:2]:
        synced.edit(line, status="posted")
    synced.edit(ids[4], amount="99.99")
    synced.add_line(amount="13.00")
    synced.delete(ids[8])
    assert synced.run() == "success"
    assert synced.assert_converged() == 321
    backups.restore(ours)
    dumps.restore(odoo_tuesday)
    synced.odoo.reset_calls()
    assert synced.run() == "success"
    settled(synced, 321)


# -- finance's hands -----------------------------------------------------------------------------------------
def test_lines_deleted_and_edited_by_hand_are_put_back_and_logged(synced: World) -> None:
    ids = synced.line_ids()
    call = finance(synced)
    gone = [line_of(synced, i)["id"] for i in ids[:2]]
    call(LINE, "unlink", gone)
    call(LINE, "write", [line_of(synced, ids[2])["id"]], {"amount": -1.0})
    synced.odoo.reset_calls()
    assert synced.run() == "success"
    assert synced.assert_converged() == 320
    assert synced.mutations() == {"create": 1, "write": 1, "unlink": 0}
    why = findings(synced)
    assert set(why) == set(ids[:3])
    assert "gone from Odoo" in why[ids[0]] and "amount: " in why[ids[2]] and "-1.0" in why[ids[2]]
    settled(synced, 320)


def test_surplus_copies_in_odoo_are_removed(synced: World) -> None:
    """Copies the old read-back let through: the same key twice, and an older generation beside a newer one."""
    ids = synced.line_ids()
    call = finance(synced)
    twin = dict(line_of(synced, ids[0]))
    keep = {k: v for k, v in twin.items() if k in ("name", "date", "amount", "ref", "account_id") or k.startswith("x_")}
    call(LINE, "create", [keep, {**keep, "ref": f"acme:line:{ids[0]}:create-g2"}])
    synced.odoo.reset_calls()
    assert synced.run() == "success"
    assert synced.mutations()["unlink"] == 1
    settled(synced, 320)
    assert line_of(synced, ids[0])["ref"] in (f"acme:line:{ids[0]}:create", f"acme:line:{ids[0]}:create-g2")


# -- a run failing halfway -----------------------------------------------------------------------------------
def test_a_run_failing_after_its_first_write_then_the_source_going_back(synced: World) -> None:
    """The first write call lands, the next is refused (the password changed meanwhile), the run fails; then the
    source returns to its earlier values. The records knew the first call's values: they are written back."""
    if isinstance(synced.odoo, RealOdoo):
        pytest.skip("flips the test server's password mid-run")
    ids = synced.line_ids()
    before = {i: line_of(synced, i)["name"] for i in ids[:3]}
    for line in ids[:3]:
        synced.edit(line, description="one new text for three lines")  # one `write` call
    for n, line in enumerate(ids[3:6]):
        synced.edit(line, amount=f"{n + 1}1.11")  # values per line: one `load` call, after the write
    odoo = synced.odoo
    odoo.fail_record = lambda model, vals: setattr(odoo, "reject_auth", True) if model == LINE else None
    assert synced.run() == "failed"
    assert {line_of(synced, i)["name"] for i in ids[:3]} == {"one new text for three lines"}
    odoo.fail_record, odoo.reject_auth = None, False
    for line in ids[:3]:
        synced.edit(line, description=before[line].split(" [")[0])
    for line in ids[3:6]:
        synced.sql("UPDATE togrant.spending_lines SET updated_at = now() WHERE id = %s", line)
    assert synced.run() == "success"
    settled(synced, 320)


# -- the rebuild entry ---------------------------------------------------------------------------------------
def test_the_rebuild_command_shows_the_dry_run_plan_then_applies_it(
    synced: World, backups: OurBackups, capsys: pytest.CaptureFixture[str]
) -> None:
    history(synced)
    backups.lose()
    twin = line_of(synced, synced.line_ids()[5])
    finance(synced)(LINE, "unlink", [twin["id"]])
    synced.odoo.reset_calls()
    rebuild.main(["--tenant", "acme", "--dry-run"])
    plan = capsys.readouterr().out
    assert "DRY RUN for tenant acme" in plan and synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    row = next(line for line in plan.splitlines() if line.startswith("line "))
    assert row.split()[1:4] == ["1", "0", "0"]  # the line deleted by hand: created again; nothing else
    rebuild.main(["--tenant", "acme", "--yes"])
    assert synced.mutations() == {"create": 1, "write": 0, "unlink": 0}
    settled(synced, 318)


def test_the_rebuild_param_with_a_dry_run_sends_and_saves_nothing(synced: World) -> None:
    ids = synced.line_ids()
    finance(synced)(LINE, "write", [line_of(synced, ids[0])["id"]], {"name": "typed over by hand"})
    synced.odoo.reset_calls()
    assert synced.run(rebuild=True, dry_run=True) == "success"
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    assert line_of(synced, ids[0])["name"] == "typed over by hand"
    assert synced.run(rebuild=True) == "success"
    assert synced.mutations()["write"] == 1
    settled(synced, 320)
