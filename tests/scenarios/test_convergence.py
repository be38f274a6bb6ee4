"""Odoo converges exactly to the source, whatever runs happened: the real DAG (dag.test()) through the
situations a deployment meets, then Odoo compared with the source line by line and per plan."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from odoo_sync.airflow import tasks
from odoo_sync.errors import OdooSetupError
from odoo_sync.sync import source
from odoo_sync.sync.writer import CreateSpec, EnsureResult, IdempotentWriter
from tests.scenarios.world import LINE, World, hours_ago, now

pytestmark = pytest.mark.scenarios


@pytest.fixture
def synced(world: World) -> World:
    """The tenant after its first run: everything in Odoo."""
    assert world.run() == "success"
    assert world.assert_converged() == 320
    world.odoo.reset_calls()
    return world


def test_a_new_tenant_gets_its_whole_history_whatever_its_first_run_covers(world: World) -> None:
    """The scheduler's first run covers the latest (empty) hour: the tenant's history arrives all the same."""
    assert world.run(hours_ago(1)) == "success"
    assert world.assert_converged() == 320
    world.odoo.reset_calls()
    assert world.run() == "success"  # a manual run next: nothing left to do
    assert world.mutations() == {"create": 0, "write": 0, "unlink": 0}


def test_skipped_intervals_lose_nothing(synced: World) -> None:
    """The scheduler was down five hours (catchup off): the next run reads from the committed mark."""
    synced.sql("UPDATE odoo_sync.watermark SET watermark = watermark - interval '5 hours'")
    for hours in (4.5, 3.2, 2.1, 0.9):
        synced.add_line(updated_at=hours_ago(hours))
    assert synced.run(hours_ago(0.2)) == "success"  # one hourly interval after the gap
    assert synced.assert_converged() == 324
    assert synced.mutations() == {"create": 1, "write": 0, "unlink": 0}  # four lines, one call


def test_late_rows_within_the_lookback_and_long_after(synced: World) -> None:
    """A row committed after the run that covered its updated_at, and one back-dated by ten days."""
    synced.add_line(id="LATE-1", updated_at=now() - timedelta(minutes=20))
    synced.add_line(id="LATE-2", updated_at=now() - timedelta(days=10))
    assert synced.run() == "success"
    assert synced.assert_converged() == 322


def test_a_ui_trigger_with_a_logical_date_reads_since_the_last_success(synced: World) -> None:
    synced.sql("UPDATE odoo_sync.watermark SET watermark = watermark - interval '3 hours'")
    line = synced.add_line(updated_at=hours_ago(2.5))
    assert synced.run(hours_ago(1)) == "success"  # the form's default: the last hour's interval
    assert synced.assert_converged() == 321 and line


def test_a_voided_line_is_removed_and_created_again_when_restored(synced: World) -> None:
    lines = synced.line_ids()[:3]
    for line in lines:
        synced.edit(line, status="void")
    assert synced.run() == "success"
    assert synced.assert_converged() == 317
    for line in lines:
        synced.edit(line, status="posted")
    assert synced.run() == "success"
    assert synced.assert_converged() == 320
    refs = {r["ref"] for r in synced.odoo.records(LINE)}
    assert {f"acme:line:{line}:create-g2" for line in lines} <= refs  # a new generation of the key


def test_a_budget_line_moved_to_another_category_moves_its_lines(synced: World) -> None:
    synced.sql(
        "UPDATE togrant.budget_lines SET category_code = 'EQP', updated_at = now()"
        " WHERE tenant_id = 'acme' AND project_code = 'PRJ-001' AND code = '2.1'"
    )
    assert synced.run() == "success"
    assert synced.assert_converged() == 320
    writes = [c for c in synced.odoo.calls if c.model == LINE and c.model_method == "write"]
    assert len(writes) == 1 and writes[0].n_records > 1  # the same change for every line: one call


def test_a_row_rejected_for_a_missing_budget_line_passes_once_it_exists(synced: World) -> None:
    line = synced.add_line(budget_line="9.9")
    assert synced.run() == "success"
    assert synced.assert_converged(rejected=(line,)) == 320
    synced.sql(
        "INSERT INTO togrant.budget_lines (tenant_id, project_code, code, name, category_code, updated_at)"
        " VALUES ('acme', 'PRJ-001', '9.9', 'Late budget line', 'IND', now())"
    )
    assert synced.run() == "success"  # the spending row itself was not touched
    assert synced.assert_converged() == 321


def test_an_amount_corrected_without_a_revision_bump_is_written(synced: World) -> None:
    line = synced.line_ids()[7]
    synced.edit(line, amount="4321.09")  # revision unchanged
    assert synced.run() == "success"
    assert synced.assert_converged() == 320
    assert synced.mutations() == {"create": 0, "write": 1, "unlink": 0}


def test_lines_deleted_from_the_source_are_removed(synced: World) -> None:
    synced.delete(*synced.line_ids()[:5])
    assert synced.run() == "success"
    assert synced.assert_converged() == 315


def test_the_circuit_breaker_refuses_a_mass_removal_until_confirmed(synced: World) -> None:
    synced.delete(*synced.line_ids()[:200])  # a broken source view
    assert synced.run() == "failed"
    assert len(synced.odoo.records(LINE)) == 320 and synced.mutations()["unlink"] == 0
    assert synced.run() == "failed"  # still refused on the next run
    assert synced.run(confirm_removals=True) == "success"
    assert synced.assert_converged() == 120


def test_the_breaker_counts_every_removal_a_revisit_finds_before_the_first(
    synced: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines whose accounts changed are planned again chunk by chunk; if the source lost them too (a broken view),
    every removal is counted before the first one, not chunk by chunk (which would stop halfway through)."""
    monkeypatch.setattr(source, "CHUNK_ROWS", 10)
    synced.sql(
        "UPDATE togrant.budget_lines SET category_code = 'IND', updated_at = now()"
        " WHERE tenant_id = 'acme' AND category_code = 'HR'"
    )
    lost = synced.db.execute(
        "SELECT id FROM togrant.spending_lines s JOIN togrant.budget_lines b USING (tenant_id)"
        " WHERE s.tenant_id = 'acme' AND b.project_code = s.project_code AND b.code = s.budget_line_code"
        " AND b.category_code = 'IND'"
    ).fetchall()
    synced.delete(*[r[0] for r in lost])
    assert len(lost) > 320 // 4  # more than the breaker lets one run remove, in more than one chunk
    assert synced.run() == "failed"
    assert synced.mutations()["unlink"] == 0 and len(synced.odoo.records(LINE)) == 320
    assert synced.run(confirm_removals=True) == "success"
    assert synced.assert_converged() == 320 - len(lost)


def streams_in_small_chunks(world: World, monkeypatch: pytest.MonkeyPatch, chunk_rows: int) -> list[int]:
    """Source chunks of ``chunk_rows`` lines, calls of 10; returns, as the run goes, the line calls of each stream
    of creates the writer sends (``IdempotentWriter.ensure_created_stream``)."""
    monkeypatch.setattr(source, "CHUNK_ROWS", chunk_rows)
    world.configure("    batch_size: 10\n")
    streams: list[int] = []
    original = IdempotentWriter.ensure_created_stream

    def counted(self: IdempotentWriter, spec: CreateSpec, batches: Any, *args: Any, **kwargs: Any) -> EnsureResult:
        calls = [0]

        def each(batches: Any) -> Any:
            for batch in batches:
                calls[0] += 1
                yield batch

        result = original(self, spec, each(batches), *args, **kwargs)
        if spec.model == LINE:
            streams.append(calls[0])
        return result

    monkeypatch.setattr(IdempotentWriter, "ensure_created_stream", counted)
    return streams


def lines_per_create(world: World) -> list[int]:
    return [c.n_records for c in world.odoo.calls if c.model == LINE and c.model_method == "create"]


def test_a_first_sync_over_many_chunks_goes_as_one_stream_of_calls(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks that only create follow each other on the wire with no pause (no drain between two chunks)."""
    streams = streams_in_small_chunks(world, monkeypatch, 40)
    assert world.run() == "success"
    assert world.assert_converged() == 320
    assert lines_per_create(world) == [10] * 32
    assert streams == [32]  # one stream of calls over the chunks (pages of 10, 20, 40, 40...)


def test_an_edited_chunk_stops_the_stream_and_the_new_lines_after_it_stream_again(
    synced: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    streams = streams_in_small_chunks(synced, monkeypatch, 20)
    edited = synced.line_ids()[:15]
    for _ in range(45):
        synced.add_line(updated_at=now() - timedelta(minutes=30))
    for line in edited:
        synced.edit(line, amount="777.77")  # stamped now
    for _ in range(45):
        synced.add_line()  # stamped after the edits
    assert synced.run() == "success"
    assert synced.assert_converged() == 410
    assert sum(lines_per_create(synced)) == 90  # the new lines, before and after the stream stopped
    assert synced.mutations()["write"] >= 1  # the 15 edits (write, load or web_save_multi)
    assert len(streams) >= 2 and sum(streams) <= 9  # streamed before the edits' chunk and after it


def test_a_changed_plan_in_the_config_stops_the_tenant_with_what_to_do(synced: World) -> None:
    synced.configure("    plans: {category: Donor budget detail, budget_line: Donor budget line}\n")
    assert synced.run() == "failed"
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
    with pytest.raises(OdooSetupError) as refused:
        tasks.check_odoo("acme", {"run_id": "manual__check"})
    detail, line = synced.plans()["budget_line"][0], synced.plans()["category"][0]  # 17: 4 and 3; 18/19: 3 and 2
    assert f"plan role 'category' now resolves to plan 'Donor budget detail' (id {detail})" in str(refused.value)
    assert f"accounts live in plan 'Donor budget line' (id {line})" in str(refused.value)
    assert "Set plans.category in tenants.yaml back to 'Donor budget line'" in str(refused.value)
    synced.configure()
    assert synced.run() == "success"
    assert synced.assert_converged() == 320


def test_three_decimal_currencies_round_half_up_like_odoo(world: World) -> None:
    if not hasattr(world.odoo, "store"):
        pytest.skip("sets the test server's company currency to 3 decimals")
    world.odoo.store.tables["res.currency"][1].update(decimal_places=3, rounding=0.001)  # e.g. KWD, TND
    world.decimals = 3
    world.add_line(amount="10.1235")  # half-up: 10.124 (half-even would keep 10.124 too; next one differs)
    world.add_line(amount="0.0625")  # half-up: 0.063; half-even: 0.062
    assert world.run() == "success"
    assert world.assert_converged() == 322
    amounts = {r["amount"] for r in world.odoo.records(LINE)}
    assert {-10.124, -0.063} <= amounts


def test_a_second_tenant_on_the_same_odoo_database_is_refused(synced: World, monkeypatch) -> None:
    from tests.integration.conftest import odoo_conn

    synced.tenants_file.write_text(
        synced.tenants_file.read_text()
        + "  - tenant_id: globex\n    display_name: Globex\n    start_date: 2026-01-01\n"
    )
    odoo_conn("odoo_globex", synced.odoo, password=synced.odoo.password, tenant_id="globex")
    globex = World(synced.db, synced.odoo, synced.tenants_file, tenant="globex")
    assert globex.run() == "failed"
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}


def test_a_lost_integration_database_duplicates_nothing(synced: World) -> None:
    """Our PostgreSQL restored from an old backup (here: emptied): the next run finds its records in Odoo."""
    synced.sql("TRUNCATE odoo_sync.ledger, odoo_sync.record, odoo_sync.watermark, odoo_sync.tenant_binding")
    synced.add_line()
    assert synced.run() == "success"
    assert synced.assert_converged() == 321
    assert synced.mutations()["create"] == 1  # only the new line
    assert synced.mutations()["write"] == 0  # the records found again hold the source's values: read, not rewritten


OPERATIONS = ("edit", "void", "restore", "delete", "insert", "backdate", "move", "late")


def _apply_random(world: World, rng: random.Random) -> str:
    op = rng.choice(OPERATIONS)
    posted, void = world.line_ids(), world.line_ids("void")
    if op == "edit":
        world.edit(rng.choice(posted), amount=f"{rng.uniform(1, 9999):.2f}")
    elif op == "void":
        world.edit(rng.choice(posted), status="void")
    elif op == "restore" and void:
        world.edit(rng.choice(void), status="posted")
    elif op == "delete":
        world.delete(rng.choice(posted))
    elif op == "insert":
        world.add_line(budget_line=rng.choice(["1.1.1.a", "2.1", "3.1"]), amount=f"{rng.uniform(1, 500):.2f}")
    elif op == "backdate":
        world.edit(rng.choice(posted), description=f"fixed {rng.random():.6f}", updated_at=hours_ago(24 * 30))
    elif op == "move":
        world.sql(
            "UPDATE togrant.budget_lines SET category_code = %s, updated_at = now()"
            " WHERE tenant_id = 'acme' AND project_code = 'PRJ-002' AND code = %s",
            rng.choice(["HR", "TRV", "EQP", "IND"]),
            rng.choice(["1.1.2", "2.2", "4.1"]),
        )
    elif op == "late":
        world.add_line(updated_at=now() - timedelta(minutes=rng.randint(1, 50)))
    return op


@pytest.mark.parametrize("seed", [7, 2026])
def test_a_random_sequence_of_edits_and_runs_converges_after_every_run(synced: World, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(6):
        done = [_apply_random(synced, rng) for _ in range(rng.randint(1, 4))]
        how = rng.choice(["manual", "interval", "reconcile"])
        if how == "manual":
            state = synced.run()
        elif how == "interval":
            state = synced.run(hours_ago(rng.choice([1, 5, 48])))
        else:
            state = synced.run(reconcile=True)
        assert state == "success", (done, how)
        synced.assert_converged()
    synced.odoo.reset_calls()
    assert synced.run() == "success"
    assert synced.mutations() == {"create": 0, "write": 0, "unlink": 0}
