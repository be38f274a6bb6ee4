"""Airflow's own authorisation for dashboard tests: tenant DAGs in team bundles, the real SimpleAuthManager.

SimpleAuthManager (Airflow's default) filters DAGs by team: a DAG belongs to its bundle's team, a user reads the
DAGs of their teams (admins read all). That is per-user DAG access with no stub and no FAB.
"""

from __future__ import annotations

from typing import Any

from odoo_sync.config import TENANT_DAG_PREFIX


def register_tenant_dags(teams: dict[str, list[str]]) -> None:
    """Each team's tenants' sync DAGs in a bundle of that team, in Airflow's metadata DB (idempotent)."""
    from airflow.models.dag import DagModel
    from airflow.models.dagbundle import DagBundleModel
    from airflow.models.team import Team, dag_bundle_team_association_table
    from airflow.utils.session import create_session

    with create_session() as session:
        for team, tenants in teams.items():
            bundle = f"tenants_{team}"
            session.merge(Team(name=team))
            session.merge(DagBundleModel(name=bundle))
            session.flush()
            link = dag_bundle_team_association_table
            session.execute(link.delete().where(link.c.dag_bundle_name == bundle))
            session.execute(link.insert().values(dag_bundle_name=bundle, team_name=team))
            for tenant in tenants:
                dag_id = f"{TENANT_DAG_PREFIX}{tenant}"
                session.merge(
                    DagModel(
                        dag_id=dag_id,
                        bundle_name=bundle,
                        fileloc=f"/dags/{dag_id}.py",
                        has_task_concurrency_limits=False,
                    )
                )


def user(name: str, role: str, *teams: str) -> Any:
    """A user of the SimpleAuthManager (roles: viewer, user, op, admin)."""
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return SimpleAuthManagerUser(username=name, role=role, teams=list(teams))


def init_auth_manager() -> None:
    """The configured auth manager (SimpleAuthManager by default), as the api-server creates it at start."""
    from airflow.api_fastapi.app import create_auth_manager

    create_auth_manager()
