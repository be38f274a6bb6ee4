from __future__ import annotations

from pathlib import Path

from odoo_sync.config import load_tenants


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tenants.yaml"
    path.write_text(text)
    return path


def test_defaults_fill_everything_but_id_and_name(tmp_path: Path) -> None:
    (tenant,) = load_tenants(write(tmp_path, "tenants:\n  - {tenant_id: globex, display_name: Globex}\n")).tenants
    assert (tenant.odoo_conn_id, tenant.schedule, tenant.dag_id, tenant.pool) == (
        "odoo_globex",
        "0 * * * *",
        "odoo_sync__globex",
        "odoo_globex",
    )
    assert tenant.plans.project is None and tenant.plans.category == "Donor budget line"
    assert tenant.plans.budget_line == "Donor budget detail"


def test_plan_keys_of_earlier_releases_keep_their_meaning(tmp_path: Path) -> None:
    """Earlier releases named the Odoo plans: budget_line was the category plan, budget_detail the other."""
    legacy = "plans: {budget_line: Cats, budget_detail: Lines}"
    current = "plans: {category: Cats, budget_line: Lines}"
    for text in (legacy, current):
        (tenant,) = load_tenants(
            write(tmp_path, f"tenants:\n  - {{tenant_id: globex, display_name: G, {text}}}\n")
        ).tenants
        assert (tenant.plans.category, tenant.plans.budget_line) == ("Cats", "Lines")


def test_each_bad_entry_is_named_and_good_ones_survive(tmp_path: Path) -> None:
    result = load_tenants(
        write(
            tmp_path,
            """
tenants:
  - {tenant_id: ok1, display_name: One}
  - {tenant_id: Bad-Id, display_name: Two}
  - {tenant_id: ok3, display_name: Three, schedule: "every hour"}
  - {tenant_id: ok4, display_name: Four, surprise: 1}
  - {tenant_id: ok1, display_name: Again}
""",
        )
    )
    assert [t.tenant_id for t in result.tenants] == ["ok1"]
    text = "\n".join(result.errors)
    assert "tenant Bad-Id: field tenant_id" in text
    assert "tenant ok3: field schedule" in text
    assert "tenant ok4: field surprise" in text
    assert "tenant ok1: tenant_id is used twice" in text


def test_unreadable_file_is_one_error(tmp_path: Path) -> None:
    result = load_tenants(write(tmp_path, "tenants: [unclosed"))
    assert result.tenants == [] and "cannot be read as YAML" in result.errors[0]


def test_each_tenant_gets_a_pool_sized_from_its_config(tmp_path: Path) -> None:
    from odoo_sync.airflow.pools import pools_for

    text = "tenants:\n  - {tenant_id: a1, display_name: A}\n  - {tenant_id: b2, display_name: B, pool_slots: 5}\n"
    tenants = load_tenants(write(tmp_path, text)).tenants
    assert pools_for(tenants) == {
        "odoo_a1": {"slots": 2, "description": "Concurrent Odoo calls for tenant a1"},
        "odoo_b2": {"slots": 5, "description": "Concurrent Odoo calls for tenant b2"},
    }
