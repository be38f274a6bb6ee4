"""The container stack: docker-compose.yaml, Dockerfile, .dockerignore and docker/.

There is no Docker engine where these tests run, so they read the files the way Compose and Docker would:
YAML with anchors and merge keys, Compose's `${VAR:-default}` interpolation, bind mounts relative to the
repository, .dockerignore patterns. One test runs the PostgreSQL init script against a scratch server, and
one runs `docker compose config` when a Compose binary is installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yaml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
POSTGRES_INIT_DIR = REPO / "docker" / "postgres-init"

AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
AIRFLOW_INIT = "airflow-init"
LONG_RUNNING = [*AIRFLOW_SERVICES, "postgres", "odoo-db", "odoo", "redis", "airflow-worker"]
PROJECT_IN_IMAGE = "/opt/airflow/project"
# Development defaults that the compose header documents; anything else secret must come from the environment.
DEV_DEFAULTS = {
    "",
    "airflow",
    "admin",
    "odoo",
    "odoo_sync",
    "togrant",
    "togrant_reader",
    "airflow_jwt_secret",
    "airflow_api_secret_key",
}
SECRET_KEY = re.compile(r"(PASSWORD|PASSWD|SECRET|SECRET_KEY|FERNET_KEY|TOKEN|API_KEY)$")
_REFERENCE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", re.DOTALL)
_SINGLE_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):?-(?P<default>[^}]*)\}")


# --- reading the files the way Compose does -----------------------------------------------------------------


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's interpolation: `$$` is a literal `$`; `${VAR:-d}` (unset or empty), `${VAR-d}` (unset)."""
    env = env or {}

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return env.get(match["named"], "")
        parsed = _BRACED.fullmatch(match["braced"])
        assert parsed, f"malformed reference ${{{match['braced']}}}"
        name, op, arg = parsed["name"], parsed["op"], parsed["arg"] or ""
        if op == ":-":
            return env.get(name) or arg
        if op == "-":
            return env.get(name, arg)
        if op in (":?", "?"):
            if env.get(name) or (op == "?" and name in env):
                return env[name]
            raise ValueError(f"{name} is required: {arg}")
        if op in (":+", "+"):
            return arg if (env.get(name) or (op == "+" and name in env)) else ""
        return env.get(name, "")

    return _REFERENCE.sub(replace, value)


def references(value: str) -> Iterator[re.Match[str]]:
    """Variable references in a string, `$$` escapes excluded."""
    for match in _REFERENCE.finditer(value):
        if not match["escaped"]:
            yield match


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string value of a loaded YAML document with its path (Compose interpolates values, not keys)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text()


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    document = yaml.safe_load(compose_text)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def environment(service: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, str]:
    """A service's environment after interpolation (mapping or list form)."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {str(key): interpolate(str(value), env) for key, value in raw.items()}


def bind_mounts(service: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Container path -> (host path, mode) for the short-syntax bind mounts of a service."""
    mounts = {}
    for entry in service.get("volumes", []):
        parts = interpolate(entry).split(":")
        source, target, mode = parts[0], parts[1], parts[2] if len(parts) > 2 else "rw"
        if source.startswith((".", "/")):
            mounts[target] = (source, mode)
    return mounts


def host_path(service: dict[str, Any], container_path: str) -> Path:
    """The repository file a container path of ``service`` is bind-mounted from."""
    for target, (source, _mode) in bind_mounts(service).items():
        if container_path.startswith(target.rstrip("/") + "/"):
            return REPO / source / container_path.removeprefix(target.rstrip("/") + "/")
    raise AssertionError(f"{container_path} is not bind-mounted from the repository")


def seed_files(service: dict[str, Any]) -> list[Path]:
    """The files the demo seed's psql runs (its ``-f`` arguments), on the host."""
    command = service["command"]
    return [host_path(service, command[i + 1]) for i, part in enumerate(command) if part == "-f"]


def container_ports(service: dict[str, Any]) -> set[int]:
    published = set()
    for entry in service.get("ports", []):
        published.add(int(interpolate(str(entry)).split(":")[-1].split("/")[0]))
    return published


def dependencies(service: dict[str, Any]) -> dict[str, str]:
    """Service name -> condition."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in raw.items()}


def header_comment(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            lines.append(line)
        else:
            break
    return "\n".join(lines)


def script_commands(path: Path) -> str:
    """A shell script without its comment lines."""
    return "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))


# --- the Airflow services -----------------------------------------------------------------------------------


def test_airflow_services_are_built_from_the_dockerfile_through_the_common_anchor(
    compose_text: str, services: dict[str, dict[str, Any]]
) -> None:
    root = yaml.compose(compose_text)
    top = {key.value: value for key, value in root.value}
    common = top["x-airflow-common"]
    service_nodes = {key.value: value for key, value in top["services"].value}
    for name in [*AIRFLOW_SERVICES, AIRFLOW_INIT, "airflow-worker", "airflow-cli"]:
        merged = [value for key, value in service_nodes[name].value if key.tag == "tag:yaml.org,2002:merge"]
        assert any(value is common for value in merged), f"{name} does not merge *airflow-common"
        build = services[name]["build"]
        context = build if isinstance(build, str) else build["context"]
        dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        assert context == ".", name
        assert (REPO / context / dockerfile).resolve() == DOCKERFILE
    for name, command in AIRFLOW_SERVICES.items():
        assert services[name]["command"] == command


def test_local_executor_by_default_and_celery_as_an_opt_in_profile(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in [*AIRFLOW_SERVICES, AIRFLOW_INIT]:
        assert environment(services[name])["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor", name
        celery = environment(services[name], {"AIRFLOW_EXECUTOR": "CeleryExecutor"})
        assert celery["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
    assert services["redis"]["profiles"] == ["celery"]
    assert services["airflow-worker"]["profiles"] == ["celery"]
    assert services["airflow-worker"]["command"] == "celery worker"
    assert dependencies(services["airflow-worker"])["redis"] == "service_healthy"
    broker = urlsplit(environment(services["airflow-worker"])["AIRFLOW__CELERY__BROKER_URL"])
    assert broker.scheme == "redis" and broker.hostname == "redis"


def test_dependencies_exist_and_wait_for_health(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for dependency, condition in dependencies(service).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if not service.get("profiles"):
                assert not services[dependency].get("profiles"), (
                    f"{name} (always on) needs profiled {dependency}"
                )
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"
    for name in AIRFLOW_SERVICES:
        assert dependencies(services[name]) == {
            "postgres": "service_healthy",
            AIRFLOW_INIT: "service_completed_successfully",
        }, name
    assert dependencies(services[AIRFLOW_INIT]) == {"postgres": "service_healthy"}
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "always", name
    assert 8080 in container_ports(services["airflow-apiserver"])


def test_airflow_settings(services: dict[str, dict[str, Any]]) -> None:
    for name in [*AIRFLOW_SERVICES, AIRFLOW_INIT]:
        env = environment(services[name])
        assert env["AIRFLOW__CORE__TEST_CONNECTION"] == "Enabled"
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/airflow/dags"
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"], "components must share a JWT secret"
        execution_api = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert (execution_api.hostname, execution_api.port, execution_api.path) == (
            "airflow-apiserver",
            8080,
            "/execution/",
        )
        mounts = bind_mounts(services[name])
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] in mounts
        # Every component finds the tenants file the same way: include/ beside the DAG folder (odoo_sync.paths).
        include = Path(env["AIRFLOW__CORE__DAGS_FOLDER"]).parent / "include"
        assert mounts[include.as_posix()][0] == "./include" and "ODOO_SYNC_INCLUDE_DIR" not in env


def test_project_folders_are_mounted_from_the_repository(services: dict[str, dict[str, Any]]) -> None:
    expected = {
        "/opt/airflow/dags": "./dags",
        "/opt/airflow/plugins": "./plugins",
        "/opt/airflow/include": "./include",
        "/opt/airflow/logs": "./logs",
        "/opt/airflow/config": "./config",
    }
    for name in [*AIRFLOW_SERVICES, AIRFLOW_INIT]:
        mounts = bind_mounts(services[name])
        for target, source in expected.items():
            assert mounts[target][0] == source, (name, target)
        assert mounts["/opt/airflow/logs"][1] == "rw"
    for source in ("./dags", "./plugins", "./include"):
        assert (REPO / source).is_dir(), f"{source} is mounted but missing from the repository"
    # Every other bind mount (init scripts, demo data) must point at something in the repository.
    for name, service in services.items():
        for target, (source, _mode) in bind_mounts(service).items():
            if target not in ("/opt/airflow/logs", "/opt/airflow/config"):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"


def test_connections_point_at_the_compose_databases_and_odoo(services: dict[str, dict[str, Any]]) -> None:
    postgres = environment(services["postgres"])
    env = environment(services["airflow-scheduler"])

    metadata = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert metadata.scheme.startswith("postgresql") and metadata.hostname == "postgres"
    assert metadata.path == f"/{postgres['POSTGRES_DB']}"
    assert (metadata.username, metadata.password) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
    )

    sync_db = urlsplit(env["AIRFLOW_CONN_ODOO_SYNC_DB"])
    assert (sync_db.scheme, sync_db.hostname, sync_db.path) == ("postgres", "postgres", "/odoo_sync")
    assert (sync_db.username, unquote(sync_db.password or "")) == (
        "odoo_sync",
        postgres["ODOO_SYNC_DB_PASSWORD"],
    )

    source = urlsplit(env["AIRFLOW_CONN_TOGRANT_SOURCE"])
    assert (source.scheme, source.hostname, source.path) == ("postgres", "postgres", "/togrant_source")
    assert (source.username, source.password) == ("togrant_reader", postgres["TOGRANT_READER_PASSWORD"])

    odoo = json.loads(env["AIRFLOW_CONN_ODOO_ACME"])
    assert odoo["conn_type"] == "odoo"
    assert odoo["host"] == "http://odoo:8069" and 8069 in container_ports(services["odoo"])
    assert (odoo["schema"], odoo["login"], odoo["extra"]["tenant_id"]) == ("acme", "admin", "acme")
    assert odoo["extra"]["timeout"] > 0

    smtp = json.loads(env["AIRFLOW_CONN_SMTP_DEFAULT"])
    assert smtp["conn_type"] == "smtp"
    assert smtp["host"].endswith(".invalid"), "the default relay must be a placeholder that cannot deliver"

    # The same variables reach both ends: a password set in .env changes the server and the client together.
    override = {
        "ODOO_SYNC_DB_PASSWORD": "s3cret",
        "TOGRANT_READER_PASSWORD": "r3ader",
        "AIRFLOW_DB_PASSWORD": "m3ta",
        "ODOO_ACME_PASSWORD": "odoo-key",
        "SMTP_HOST": "mail.ngo.example",
    }
    postgres, env = (
        environment(services["postgres"], override),
        environment(services["airflow-scheduler"], override),
    )
    assert (
        urlsplit(env["AIRFLOW_CONN_ODOO_SYNC_DB"]).password == postgres["ODOO_SYNC_DB_PASSWORD"] == "s3cret"
    )
    assert (
        urlsplit(env["AIRFLOW_CONN_TOGRANT_SOURCE"]).password
        == postgres["TOGRANT_READER_PASSWORD"]
        == "r3ader"
    )
    assert (
        urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).password
        == postgres["POSTGRES_PASSWORD"]
        == "m3ta"
    )
    assert json.loads(env["AIRFLOW_CONN_ODOO_ACME"])["password"] == "odoo-key"
    assert json.loads(env["AIRFLOW_CONN_SMTP_DEFAULT"])["host"] == "mail.ngo.example"


def test_odoo_runs_on_its_own_postgresql_with_a_non_postgres_role(
    services: dict[str, dict[str, Any]],
) -> None:
    odoo = services["odoo"]
    assert odoo["image"].startswith("odoo:17")
    for env_override in ({}, {"ODOO_DB_PASSWORD": "changed"}):
        env = environment(odoo, env_override)
        database = services[env["HOST"]]
        assert env["HOST"] != "postgres", "Odoo must not share Airflow's PostgreSQL"
        assert database["image"].startswith("postgres:")
        db_env = environment(database, env_override)
        assert env["USER"] == db_env["POSTGRES_USER"] != "postgres"
        assert env["PASSWORD"] == db_env["POSTGRES_PASSWORD"]
    assert dependencies(odoo)[env["HOST"]] == "service_healthy"
    assert dependencies(odoo)["odoo-init"] == "service_completed_successfully"
    assert environment(services["odoo-init"]) == environment(odoo)


# --- secrets ------------------------------------------------------------------------------------------------


def test_every_variable_reference_has_a_default(compose: dict[str, Any]) -> None:
    missing = []
    for path, value in strings(compose):
        for match in references(value):
            parsed = _BRACED.fullmatch(match["braced"] or "")
            if match["named"] or not parsed or parsed["op"] not in (":-", "-"):
                missing.append(f"{path}: {match[0]}")
    assert missing == [], "unescaped `$` or a variable without a default (shell variables need `$$`)"


def test_variables_are_documented_with_the_defaults_they_have(
    compose: dict[str, Any], compose_text: str
) -> None:
    header = header_comment(compose_text)
    defaults: dict[str, set[str]] = {}
    for _path, value in strings(compose):
        for match in references(value):
            parsed = _BRACED.fullmatch(match["braced"])
            assert parsed
            defaults.setdefault(parsed["name"], set()).add(parsed["arg"] or "")
    assert defaults
    for name, values in defaults.items():
        assert len(values) == 1, f"{name} has different defaults: {values}"
        documented = re.search(rf"^#\s+{re.escape(name)}\s+(\S+)", header, re.MULTILINE)
        assert documented, f"{name} is not in the header's list of variables"
        default = values.pop()
        assert documented[1] == (default or "(empty)"), f"{name}: documented {documented[1]}, is {default!r}"
    flat = " ".join(line.lstrip("#").strip() for line in header.splitlines())
    assert re.search(r"real ones in a `\.env` file", flat), "the header must say where real secrets go"
    assert re.search(r"never commit `\.env`", flat, re.IGNORECASE)


def test_no_literal_secrets(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    def dev_default_only(value: str, where: str) -> None:
        match = _SINGLE_REFERENCE.fullmatch(value)
        assert match, f"{where}: {value!r} must come from the environment as ${{VAR:-default}}"
        assert match["default"] in DEV_DEFAULTS, (
            f"{where}: default {match['default']!r} is not a documented one"
        )

    checked = 0
    for name, service in services.items():
        raw = service.get("environment") or {}
        for key, value in raw.items():
            if SECRET_KEY.search(str(key)):
                dev_default_only(str(value), f"{name}.{key}")
                checked += 1
    assert checked >= 8
    for path, value in strings(compose):
        for user_info in re.finditer(r"[a-z0-9+.-]+://[^:@/\s]+:([^@\s]*)@", value):
            dev_default_only(user_info[1], path)
            checked += 1
        for password in re.finditer(r'"password":\s*"([^"]*)"', value):
            dev_default_only(password[1], path)
            checked += 1
    assert checked >= 14


# --- init scripts -------------------------------------------------------------------------------------------


def test_airflow_init_migrates_airflow_and_the_integration(services: dict[str, dict[str, Any]]) -> None:
    init = services[AIRFLOW_INIT]
    assert init["user"] == "0:0" and init["restart"] == "no"
    command = init["command"] if isinstance(init["command"], list) else init["command"].split()
    in_image = next(part for part in command if part.startswith(f"{PROJECT_IN_IMAGE}/"))
    script = REPO / in_image.removeprefix(f"{PROJECT_IN_IMAGE}/")
    assert script.is_file(), f"{in_image} is not in the repository (the image copies the repository there)"
    assert not dockerignored(script.relative_to(REPO).as_posix())
    commands = script_commands(script)
    assert re.search(r"\bairflow db migrate\b", commands)
    assert re.search(r"\bpython -m odoo_sync\.store\.migrate --conn-id odoo_sync_db\b", commands)
    assert "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" in environment(init)
    assert environment(init)["_AIRFLOW_WWW_USER_PASSWORD"]

    from odoo_sync.store import migrate

    with pytest.raises(SystemExit) as exit_info:
        migrate.main(["--help"])
    assert exit_info.value.code == 0


def test_shell_scripts_parse() -> None:
    scripts = sorted((REPO / "docker").rglob("*.sh"))
    assert len(scripts) >= 3
    for script in scripts:
        subprocess.run(["bash", "-n", str(script)], check=True)
        assert os.access(script, os.X_OK), f"{script} must be executable"


def test_postgres_init_script_creates_the_integration_and_source_databases(
    services: dict[str, dict[str, Any]],
) -> None:
    postgres = services["postgres"]
    source, _mode = bind_mounts(postgres)["/docker-entrypoint-initdb.d"]
    assert (REPO / source).resolve() == POSTGRES_INIT_DIR
    scripts = sorted(POSTGRES_INIT_DIR.glob("*.sh")) + sorted(POSTGRES_INIT_DIR.glob("*.sql"))
    assert scripts
    text = "\n".join(script_commands(script) for script in scripts)
    created = set(re.findall(r"CREATE DATABASE\s+(\w+)", text, re.IGNORECASE))
    assert {"odoo_sync", "togrant_source"} <= created
    required = set(re.findall(r"\$\{(\w+):\?", text))
    assert required and required <= set(environment(postgres)), (
        "the init script needs variables not passed to it"
    )


def test_demo_seed_loads_files_that_exist(services: dict[str, dict[str, Any]]) -> None:
    seed = services["togrant-demo-seed"]
    assert seed["profiles"] == ["demo"]
    assert environment(seed)["PGDATABASE"] == "togrant_source"
    files = seed_files(seed)
    assert [f.name for f in files] == ["schema.sql", "seed.sql"]
    assert all(f.is_file() for f in files), files


# --- Dockerfile and .dockerignore ---------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_dockerfile_extends_the_airflow_image_the_project_pins() -> None:
    from packaging.specifiers import SpecifierSet

    instructions = dockerfile_instructions()
    base = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert len(base) == 1
    match = re.fullmatch(r"apache/airflow:(?P<version>3\.3\.2)(?:-python(?P<python>3\.\d+))?", base[0])
    assert match, base[0]
    pinned = re.search(r"^apache-airflow==(\S+)", (REPO / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned and pinned[1] == match["version"], "image and requirements.txt must agree on Airflow"
    requires_python = re.search(r'requires-python\s*=\s*"([^"]+)"', (REPO / "pyproject.toml").read_text())
    assert requires_python and match["python"], (
        "pin the image's Python (constraints.txt is per Python version)"
    )
    assert match["python"] + ".0" in SpecifierSet(requires_python[1])


def test_dockerfile_installs_the_project_as_a_package_with_the_constraints_as_airflow() -> None:
    instructions = dockerfile_instructions()
    user = "airflow"  # the base image's default
    installs = []
    for keyword, rest in instructions:
        if keyword == "USER":
            user = rest
        if keyword == "RUN" and "pip install" in rest:
            assert user in ("airflow", "50000"), "pip must run as the airflow user in this image"
            assert "--no-cache-dir" in rest and "-c constraints.txt" in rest
            installs.append(rest)
    final = installs[-1]
    # Built into a wheel and installed like any provider (not editable): the package carries its own files.
    assert "-r requirements.txt" in final and final.endswith(f" {PROJECT_IN_IMAGE}") and " -e " not in final
    copies = [rest for keyword, rest in instructions if keyword == "COPY"]
    assert any(re.fullmatch(rf"(--chown=\S+ )?\. {PROJECT_IN_IMAGE}/?", rest) for rest in copies)
    # The image alone is a deployment: the DAG files, and the tenants file beside their folder.
    assert any(re.fullmatch(r"(--chown=\S+ )?dags /opt/airflow/dags/?", rest) for rest in copies)
    assert any(rest.endswith("include/tenants.yaml /opt/airflow/include/tenants.yaml") for rest in copies)
    for needed in ("requirements.txt", "constraints.txt", "pyproject.toml"):
        assert (REPO / needed).is_file()


def dockerignored(path: str) -> bool:
    """Whether Docker leaves out `path` (relative to the context); excluding a folder excludes its files."""
    excluded = False
    for raw in DOCKERIGNORE.read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        regex = ""
        index = 0
        while index < len(pattern):
            if pattern.startswith("**/", index):
                regex, index = regex + "(?:.*/)?", index + 3
            elif pattern.startswith("**", index):
                regex, index = regex + ".*", index + 2
            elif pattern[index] == "*":
                regex, index = regex + "[^/]*", index + 1
            elif pattern[index] == "?":
                regex, index = regex + "[^/]", index + 1
            elif pattern[index] == "[":
                end = pattern.index("]", index)
                regex, index = regex + pattern[index : end + 1], end + 1
            else:
                regex, index = regex + re.escape(pattern[index]), index + 1
        parts = path.split("/")
        if any(re.fullmatch(regex, "/".join(parts[: n + 1])) for n in range(len(parts))):
            excluded = not negate
    return excluded


def test_dockerignore_keeps_local_state_out_and_the_project_in() -> None:
    for left_out in (
        ".venv/bin/python",
        ".git/HEAD",
        ".env",
        "odoo_sync/__pycache__/db.cpython-311.pyc",
        "togrant_odoo_sync.egg-info/PKG-INFO",
        ".pytest_cache/v/cache",
        "logs/scheduler/latest",
    ):
        assert dockerignored(left_out), left_out
    readme = re.search(r'readme\s*=\s*"([^"]+)"', (REPO / "pyproject.toml").read_text())
    needed = [
        "pyproject.toml",
        "requirements.txt",
        "constraints.txt",
        "odoo_sync/__init__.py",
        "odoo_sync/store/migrate.py",
        "odoo_sync/sql/migrations/001_sync_log_and_ledger.sql",
        "include/tenants.yaml",
        "docker/airflow-init.sh",
    ]
    if readme:
        needed.append(readme[1])  # the build refuses to run without it
    for kept in needed:
        assert not dockerignored(kept), kept


# --- the real thing, where the tools exist ------------------------------------------------------------------


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_accepts_the_file() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("no docker compose / docker-compose binary here")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("COMPOSE_", "AIRFLOW"))}
    for profiles in ([], ["--profile", "celery", "--profile", "demo", "--profile", "debug"]):
        result = subprocess.run(
            [*command, "-f", str(COMPOSE_FILE), *profiles, "config", "--quiet"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def _postgres_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


@pytest.fixture
def scratch_postgres() -> Iterator[dict[str, str]]:
    """A throw-away PostgreSQL server with password authentication; yields libpq environment variables."""
    initdb, pg_ctl = _postgres_tool("initdb"), _postgres_tool("pg_ctl")
    if not (initdb and pg_ctl and shutil.which("psql")):
        pytest.skip("PostgreSQL server binaries not installed")
    run_as: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user for initdb")
        run_as = ["runuser", "-u", "postgres", "--"]
    workdir = Path(tempfile.mkdtemp(prefix="compose-pg-"))
    workdir.chmod(0o777)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    superuser_password = "airflow-superuser"
    (workdir / "pw").write_text(superuser_password + "\n")
    (workdir / "pw").chmod(0o644)
    data = workdir / "data"
    try:
        subprocess.run(
            [
                *run_as,
                initdb,
                "-D",
                str(data),
                "-U",
                "airflow",
                f"--pwfile={workdir / 'pw'}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *run_as,
                pg_ctl,
                "-D",
                str(data),
                "-l",
                str(workdir / "log"),
                "-w",
                "start",
                "-o",
                f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )
        yield {
            "PGHOST": "127.0.0.1",
            "PGPORT": str(port),
            "PGUSER": "airflow",
            "PGPASSWORD": superuser_password,
        }
    finally:
        if data.exists():
            subprocess.run([*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.integration
def test_postgres_init_script_on_a_real_server(
    scratch_postgres: dict[str, str], services: dict[str, dict[str, Any]]
) -> None:
    import psycopg
    from psycopg import errors

    from odoo_sync.store.migrate import migrate

    # Passwords with quotes prove the script quotes them; the rest of the environment is what compose passes.
    passwords = {
        "ODOO_SYNC_DB_PASSWORD": 'it\'s "odd"',
        "TOGRANT_DB_PASSWORD": "owner pw",
        "TOGRANT_READER_PASSWORD": "reader;pw",
    }
    compose_env = environment(services["postgres"], passwords)
    env = {**os.environ, **scratch_postgres, **compose_env}
    env["PGPASSWORD"] = scratch_postgres["PGPASSWORD"]
    # The postgres image creates POSTGRES_DB before it runs /docker-entrypoint-initdb.d/*.
    psql = ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1"]
    subprocess.run(
        [*psql, "-d", "postgres", "-c", f'CREATE DATABASE "{compose_env["POSTGRES_DB"]}"'],
        env=env,
        check=True,
    )
    for script in sorted(POSTGRES_INIT_DIR.glob("*.sh")):
        result = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr

    def connect(user: str, password: str, dbname: str) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=scratch_postgres["PGPORT"], user=user, password=password, dbname=dbname
        )

    # The integration's role can create its schema: what airflow-init does with odoo_sync.store.migrate.
    with connect("odoo_sync", passwords["ODOO_SYNC_DB_PASSWORD"], "odoo_sync") as conn:
        assert migrate(conn), "no migration applied on an empty database"
        assert conn.execute(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'odoo_sync'"
        ).fetchone() == ("odoo_sync",)

    # The owner loads the source schema and the demo tenant: what the compose `demo` profile runs.
    seed = services["togrant-demo-seed"]
    files = [str(path) for path in seed_files(seed)]
    seed_env = {
        **env,
        "PGUSER": "togrant",
        "PGPASSWORD": passwords["TOGRANT_DB_PASSWORD"],
        "PGDATABASE": "togrant_source",
    }
    result = subprocess.run(
        [*psql, "-q", *[arg for path in files for arg in ("-f", path)]],
        env=seed_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    # Airflow's source connection reads, and cannot write even when it asks for a read-write transaction.
    with connect("togrant_reader", passwords["TOGRANT_READER_PASSWORD"], "togrant_source") as conn:
        (projects,) = conn.execute("SELECT count(*) FROM togrant.projects").fetchone() or (0,)
        assert projects > 0
        with pytest.raises(errors.ReadOnlySqlTransaction):
            conn.execute("DELETE FROM togrant.projects")
        conn.rollback()
        conn.execute("SET TRANSACTION READ WRITE")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM togrant.projects")
        conn.rollback()
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        connect("togrant_reader", passwords["TOGRANT_READER_PASSWORD"], "odoo_sync").close()
