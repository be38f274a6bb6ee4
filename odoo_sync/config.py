"""Tenant configuration (the tenants file, see odoo_sync.paths): validated per tenant, no network or database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pendulum
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from odoo_sync import paths

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser, when libyaml is there
_TENANT_ID = r"^[a-z][a-z0-9_]{1,40}$"
TENANT_DAG_PREFIX = "odoo_sync__"  # a tenant's sync DAG is odoo_sync__<tenant_id>: who may read it sees the tenant


class PlanNames(BaseModel):
    """Root analytic plans by name, one per plan role. ``project`` None means Odoo's own project plan.

    Roles are named after the source entity whose accounts fill the plan: ``category`` (Odoo plan "Donor budget
    line": HR, TRV, ...) and ``budget_line`` ("Donor budget detail": 1.1.1.a, ...). The keys of earlier releases
    named the Odoo plans instead (``budget_line`` for the category plan, ``budget_detail``) and still work.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    project: str | None = None
    category: str = "Donor budget line"
    budget_line: str = "Donor budget detail"

    @model_validator(mode="before")
    @classmethod
    def _legacy_keys(cls, data: Any) -> Any:
        """``{budget_line, budget_detail}`` without ``category`` is the earlier naming: translate it."""
        if isinstance(data, dict) and "category" not in data and ("budget_detail" in data or "budget_line" in data):
            data = dict(data)
            if "budget_line" in data:
                data["category"] = data.pop("budget_line")
            if "budget_detail" in data:
                data["budget_line"] = data.pop("budget_detail")
        return data

    def of(self, role: str) -> str | None:
        """The configured plan name of a role."""
        return getattr(self, role)  # type: ignore[no-any-return]


class TenantConfig(BaseModel):
    """One tenant: who it is, where its Odoo is, when it syncs, and how strict to be."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tenant_id: str = Field(pattern=_TENANT_ID)
    display_name: str = Field(min_length=1, max_length=120)
    odoo_conn_id: str = ""
    source_conn_id: str = "togrant_source"
    schedule: str = "0 * * * *"
    timezone: str = "UTC"
    start_date: date = date(2026, 1, 1)
    plans: PlanNames = PlanNames()
    create_plans: bool = False
    company_id: int | None = Field(default=None, ge=1)
    calls_per_second: float = Field(default=20.0, gt=0, le=1000)
    pool_slots: int = Field(default=2, ge=1, le=64)
    batch_size: int = Field(default=500, ge=1, le=5000)
    max_error_share: float = Field(default=0.05, ge=0, le=1)
    max_description_chars: int = Field(default=2000, ge=16, le=100_000)
    lookback_minutes: int = Field(default=60, ge=0, le=60 * 24 * 31)
    reconcile_every_hours: float = Field(default=24, gt=0, le=24 * 366)
    max_removal_share: float = Field(default=0.25, ge=0, le=1)
    min_guarded_removals: int = Field(default=20, ge=0)  # no longer used (the breaker has no floor); still read
    sync_stale_after_schedules: float | None = Field(default=None, gt=0)  # None: the health settings' value
    sync_red_after_schedules: float | None = Field(default=None, gt=0)
    event_driven: bool = True  # also run when the source changes (a watcher in the triggerer), not only on schedule
    probe_seconds: float = Field(default=10, ge=1, le=3600)  # how often the watcher probes the source
    owner: str = "data-engineering"
    tags: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _default_conn_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("odoo_conn_id") and isinstance(data.get("tenant_id"), str):
            data = {**data, "odoo_conn_id": f"odoo_{data['tenant_id']}"}
        return data

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        pendulum.timezone(value)  # raises on an unknown zone
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError("must be a 5-field cron expression, e.g. '0 * * * *'")
        return value

    @property
    def pool(self) -> str:
        return f"odoo_{self.tenant_id}"

    @property
    def dag_id(self) -> str:
        return f"{TENANT_DAG_PREFIX}{self.tenant_id}"


class TenantConfigError(ValueError):
    """tenants.yaml has invalid entries; the message names each tenant and field."""


@dataclass
class TenantsFile:
    """Valid tenants, and one message per invalid entry."""

    tenants: list[TenantConfig] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def use_tenants_file_beside(dag_file: str | Path) -> None:
    """Make this process read the tenants file that travels with ``dag_file`` (the DAG files call it first).

    The DAG processor and the worker running a task both parse the DAG file from the same DAG bundle version,
    so the tasks use the settings their DAG was built from. ``ODOO_SYNC_TENANTS_FILE`` still wins when set.
    """
    paths.use_dag_folder(dag_file)


def load_tenants(path: Path | None = None) -> TenantsFile:
    """Read and validate every tenant; one bad entry does not hide the others."""
    path = path or paths.tenants_file()
    try:
        raw = yaml.load(path.read_text(), Loader=_YAML_LOADER) or {}  # a safe loader either way
    except FileNotFoundError:
        return TenantsFile(errors=[_not_found(path)])
    except (OSError, yaml.YAMLError) as exc:
        return TenantsFile(errors=[f"{path}: cannot be read as YAML: {exc}"])
    entries = raw.get("tenants") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        return TenantsFile(errors=[f"{path}: expected a top-level 'tenants:' list"])
    result, seen, conns = TenantsFile(), set(), dict[str, str]()
    for index, entry in enumerate(entries):
        name = entry.get("tenant_id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            tenant = TenantConfig.model_validate(entry)
        except ValidationError as exc:
            result.errors.extend(_describe(path, name, exc))
            continue
        if tenant.tenant_id in seen:
            result.errors.append(f"{path}: tenant {name}: tenant_id is used twice")
            continue
        if tenant.odoo_conn_id in conns:
            result.errors.append(
                f"{path}: tenant {name}: field odoo_conn_id: {tenant.odoo_conn_id!r} is already used by tenant "
                f"{conns[tenant.odoo_conn_id]!r}; each tenant needs its own Odoo connection"
            )
            continue
        conns[tenant.odoo_conn_id] = tenant.tenant_id
        seen.add(tenant.tenant_id)
        result.tenants.append(tenant)
    return result


def _describe(path: Path, tenant: str, exc: ValidationError) -> list[str]:
    return [
        f"{path}: tenant {tenant}: field {'.'.join(str(p) for p in err['loc']) or '(entry)'}: {err['msg']}"
        for err in exc.errors()
    ]


def _not_found(path: Path) -> str:
    looked = ", ".join(str(p) for p in paths.tenants_file_candidates())
    return (
        f"{path}: no such tenants file (looked for {looked} unless {paths.TENANTS_FILE_ENV} names one): put "
        "tenants.yaml beside the DAG files or set the variable, the same on every Airflow component (docs/deploy.md)"
    )


def tenants_of_dags(dag_ids: Iterable[str]) -> frozenset[str]:
    """The tenants whose sync DAG is among ``dag_ids`` (other DAGs name no tenant)."""
    return frozenset(d.removeprefix(TENANT_DAG_PREFIX) for d in dag_ids if d.startswith(TENANT_DAG_PREFIX))


def tenant_by_id(tenant_id: str, path: Path | None = None) -> TenantConfig:
    """The config of one tenant, for tasks (the file their DAG was parsed from: see use_tenants_file_beside)."""
    path = path or paths.tenants_file()
    for tenant in load_tenants(path).tenants:
        if tenant.tenant_id == tenant_id:
            return tenant
    raise TenantConfigError(f"tenant {tenant_id!r} is not (or no longer validly) configured in {path}")
