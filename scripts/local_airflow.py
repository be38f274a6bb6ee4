"""A local Airflow in one command: ``make up`` starts it, ``make down`` stops exactly what ``up`` started.

api-server, scheduler, dag-processor and triggerer (LocalExecutor) run against the local PostgreSQL (metadata
database ``airflow_local``), with the demo tenant ``acme`` synced from ``togrant_local`` (the demo seed) into
the loopback Odoo 17 test server (``python -m odoo_test_server``), or into a real Odoo when ``ODOO_DEMO_URL``,
``ODOO_DEMO_DB``, ``ODOO_DEMO_USER`` and ``ODOO_DEMO_PASSWORD`` are set. The ledger and sync_log are in
``odoo_sync_local``.

Everything lives in ``AIRFLOW_HOME`` (default ``.airflow/local``): component logs (``<name>.log``), task logs
(``logs/``), pid files (``run/``), the login (``passwords.json``) and ``env.sh`` for the Airflow CLI.
Settings: ``ODOO_SYNC_LOCAL_PORT`` (8080, the UI), ``ODOO_SYNC_LOCAL_ODOO_PORT`` (8069, the test server),
``ODOO_SYNC_LOCAL_NAME`` (``local``: the suffix of the three database names), ``ODOO_SYNC_LOCAL_PG``
(``host=127.0.0.1 port=5432 user=postgres``). ``AIRFLOW__*`` variables set in the shell reach every component.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parent.parent
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
COMPONENTS = ("api-server", "dag-processor", "scheduler", "triggerer")  # started in this order
TENANT_DAG = "odoo_sync__acme"
UNPAUSED = (TENANT_DAG, "odoo_health")
USER = "admin"


class Settings:
    """Where things are: read once from the environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.home = Path(env.get("AIRFLOW_HOME") or REPO / ".airflow" / "local").resolve()
        self.port = int(env.get("ODOO_SYNC_LOCAL_PORT") or 8080)
        self.odoo_port = int(env.get("ODOO_SYNC_LOCAL_ODOO_PORT") or 8069)
        name = env.get("ODOO_SYNC_LOCAL_NAME") or "local"
        self.metadata_db, self.source_db, self.sync_db = f"airflow_{name}", f"togrant_{name}", f"odoo_sync_{name}"
        pg = env.get("ODOO_SYNC_LOCAL_PG") or "host=127.0.0.1 port=5432 user=postgres"
        self.pg = dict(p.split("=", 1) for p in pg.split())
        self.real_odoo = {k: env.get(f"ODOO_DEMO_{k.upper()}", "") for k in ("url", "db", "user", "password")}
        self.url = f"http://127.0.0.1:{self.port}"
        self.run_dir = self.home / "run"

    def dsn(self, dbname: str) -> str:
        return " ".join(f"{k}={v}" for k, v in {**self.pg, "dbname": dbname}.items())


# -- processes: pid files hold "pid start-time", so a recycled pid is never taken for ours ----------------------
def start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (field 22 of /proc/<pid>/stat), None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] == "Z" else fields[19]


def spawn(s: Settings, name: str, args: list[str], env: dict[str, str]) -> None:
    """Start ``args`` in a process group of its own, output to <home>/<name>.log, and write its pid file."""
    with (s.home / f"{name}.log").open("ab") as log:
        proc = subprocess.Popen(args, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    (s.run_dir / f"{name}.pid").write_text(f"{proc.pid} {start_time(proc.pid)}\n")


def running(s: Settings) -> dict[str, int]:
    """name -> pid of the processes our pid files name that are still the same processes."""
    out = {}
    for path in sorted(s.run_dir.glob("*.pid")) if s.run_dir.is_dir() else []:
        pid, started = path.read_text().split()
        if start_time(int(pid)) == started:
            out[path.stem] = int(pid)
    return out


def descendants(root: int) -> set[tuple[int, str]]:
    """(pid, start time) of every live descendant of ``root`` (task runners may leave its process group)."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (started := start_time(int(entry.name))) is not None:
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(")") + 2 :].split()[1]), []).append((int(entry.name), started))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def stop(processes: dict[str, int], grace: float = 20.0) -> None:
    """SIGTERM the process groups ``up`` gave these pids, SIGKILL after ``grace``; then any descendant left."""
    spawned = set().union(*(descendants(pid) for pid in processes.values()))
    for name, pid in processes.items():
        print(f"  stopping {name} (pid {pid})")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    for name, pid in processes.items():
        if not wait_until(partial(group_gone, pid), grace):
            print(f"  {name} did not stop within {grace:.0f} s: SIGKILL")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            wait_until(partial(group_gone, pid), 10)
    for child, started in spawned.union(*(descendants(pid) for pid in processes.values())):
        if start_time(child) == started:
            os.kill(child, signal.SIGKILL)


def group_gone(pgid: int) -> bool:
    """No live process left in the group (zombies count as gone)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return all(start_time(p) is None for p in pids_in_group(pgid))


def pids_in_group(pgid: int) -> Iterable[int]:
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.getpgid(int(entry.name)) == pgid:
                yield int(entry.name)
        except OSError:
            continue


def wait_until(probe: Callable[[], Any], timeout: float, interval: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := probe()):
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)
    return result


# -- databases, Odoo, Airflow's environment --------------------------------------------------------------------
def prepare_databases(s: Settings, fresh_sync_db: bool) -> None:
    """Create the three databases if missing and seed the source; a fresh test server means a fresh ledger."""
    with psycopg.connect(s.dsn("postgres"), autocommit=True) as admin:
        for name in (s.metadata_db, s.source_db, s.sync_db):
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(s.dsn(s.source_db)) as conn:
        conn.execute((REPO / "odoo_sync/sql/source/schema.sql").read_text())
        conn.execute((REPO / "include/demo/seed.sql").read_text())
    if fresh_sync_db:  # the test server starts empty: a ledger of an earlier one would point at nothing
        with psycopg.connect(s.dsn(s.sync_db), autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS odoo_sync CASCADE")


def pg_conn(s: Settings, dbname: str) -> dict[str, Any]:
    return {
        "conn_type": "postgres",
        "host": s.pg.get("host", "127.0.0.1"),
        "port": int(s.pg.get("port", 5432)),
        "login": s.pg.get("user", "postgres"),
        "password": s.pg.get("password"),
        "schema": dbname,
    }


def odoo_conn(s: Settings) -> dict[str, Any]:
    real = s.real_odoo
    if real["url"]:
        host, db, login, password = real["url"], real["db"], real["user"], real["password"]
    else:
        host, db, login, password = f"http://127.0.0.1:{s.odoo_port}", "acme", "admin", "admin"
    return {
        "conn_type": "odoo",
        "host": host,
        "schema": db,
        "login": login,
        "password": password,
        "extra": {"tenant_id": "acme", "timeout": 30},
    }


def airflow_env(s: Settings) -> dict[str, str]:
    """Every component's environment: the shell's, then this Airflow's settings and the demo's connections."""
    settings = {
        "AIRFLOW_HOME": str(s.home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": (
            f"postgresql+psycopg://{s.pg.get('user', 'postgres')}"
            f"{':' + s.pg['password'] if s.pg.get('password') else ''}"
            f"@{s.pg.get('host', '127.0.0.1')}:{s.pg.get('port', 5432)}/{s.metadata_db}"
        ),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{s.url}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(s.home / "passwords.json"),
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
        "AIRFLOW__API_AUTH__JWT_SECRET": secret(s, "jwt_secret"),
        "AIRFLOW__API__SECRET_KEY": secret(s, "api_secret_key"),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(s.home / "logs"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "ODOO_SYNC_TENANTS_FILE": str(REPO / "include" / "tenants.yaml"),
    }
    connections = {
        "odoo_acme": odoo_conn(s),
        "togrant_source": pg_conn(s, s.source_db),
        "odoo_sync_db": pg_conn(s, s.sync_db),
    }
    env = {**os.environ, **settings, "PYTHONPATH": str(REPO)}
    env.update({f"AIRFLOW_CONN_{cid.upper()}": json.dumps(fields) for cid, fields in connections.items()})
    write_env_file(s, settings)
    return env


def secret(s: Settings, name: str) -> str:
    """A random secret made on the first ``up`` and kept in the home (tokens survive a restart)."""
    path = s.home / f".{name}"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def login_password(s: Settings) -> str:
    """The admin's password: made once, in the file the simple auth manager reads."""
    path = s.home / "passwords.json"
    if not path.exists():
        path.write_text(json.dumps({USER: secrets.token_urlsafe(12)}))
        path.chmod(0o600)
    return str(json.loads(path.read_text())[USER])


def write_env_file(s: Settings, settings: dict[str, str]) -> None:
    """``. <home>/env.sh`` points the Airflow CLI at this instance (connections stay out of the file)."""
    lines = [f"export {k}={json.dumps(v)}" for k, v in settings.items()]
    (s.home / "env.sh").write_text("\n".join(lines) + "\n")


def airflow(env: dict[str, str], *args: str, timeout: float = 300) -> None:
    done = subprocess.run([AIRFLOW, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        sys.exit(f"airflow {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-3000:]}")


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


# -- the REST API -----------------------------------------------------------------------------------------------
def api(s: Settings, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(s.url + path, data, headers, method=method)
    with urllib.request.urlopen(request, timeout=15) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def get_token(s: Settings, password: str) -> str:
    return str(api(s, "POST", "/auth/token", {"username": USER, "password": password})["access_token"])


def healthy(s: Settings, component: str | None = None) -> bool:
    """The api-server answers its health endpoint (and ``component`` reports healthy there)."""
    try:
        health = api(s, "GET", "/api/v2/monitor/health")
    except (OSError, ValueError):
        return False
    return component is None or (health.get(component) or {}).get("status") == "healthy"


def dag_listed(s: Settings, token: str, dag_id: str) -> bool:
    try:
        api(s, "GET", f"/api/v2/dags/{dag_id}", token=token)
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return False
        raise
    return True


# -- the commands -----------------------------------------------------------------------------------------------
def up(s: Settings, trigger: bool = True, timeout: float = 180.0) -> int:
    """Start everything (or say it already runs), wait until the demo DAG is listed, print where to look."""
    s.home.mkdir(parents=True, exist_ok=True)
    s.run_dir.mkdir(exist_ok=True)
    if already := running(s):
        print(f"Already running ({', '.join(already)}); `make down` stops it.")
        return print_welcome(s, login_password(s))
    fake_odoo = not s.real_odoo["url"]
    busy = [p for p in ([s.port] + ([s.odoo_port] if fake_odoo else [])) if not port_free(p)]
    if busy:
        sys.exit(f"port(s) {busy} in use: set ODOO_SYNC_LOCAL_PORT / ODOO_SYNC_LOCAL_ODOO_PORT to free ones")
    password = login_password(s)
    env = airflow_env(s)
    prepare_databases(s, fresh_sync_db=fake_odoo)
    if fake_odoo:
        args = ["--port", str(s.odoo_port), "--db", "acme", "--login", "admin", "--password", "admin"]
        spawn(s, "odoo-test-server", [sys.executable, "-m", "odoo_test_server", *args], env)
    try:
        start_airflow(s, env, password, trigger, timeout)
    except BaseException:
        down(s)
        raise
    return print_welcome(s, password)


def start_airflow(s: Settings, env: dict[str, str], password: str, trigger: bool, timeout: float) -> None:
    say(f"Airflow home {s.home}; migrating metadata database {s.metadata_db}")
    airflow(env, "db", "migrate")
    pools = s.home / "pools.json"
    command = [sys.executable, "-m", "odoo_sync.airflow.pools"]
    pools_json = subprocess.check_output(command, env=env, cwd=REPO, text=True)
    pools.write_text(pools_json)
    airflow(env, "pools", "import", str(pools))
    say(f"starting {', '.join(COMPONENTS)}")
    for name in COMPONENTS:
        spawn(s, name, [AIRFLOW, name, *(["--port", str(s.port)] if name == "api-server" else [])], env)
    check(s, lambda: healthy(s), timeout, "the api-server", "api-server")
    token = get_token(s, password)
    say("api-server up; waiting for the DAGs and the scheduler")
    check(s, lambda: dag_listed(s, token, TENANT_DAG), timeout, f"DAG {TENANT_DAG} to be parsed", "dag-processor")
    check(s, lambda: healthy(s, "scheduler") and healthy(s, "triggerer"), timeout, "the scheduler", "scheduler")
    for dag_id in UNPAUSED:
        if dag_listed(s, token, dag_id):
            api(s, "PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False}, token)
    if trigger:
        api(s, "POST", f"/api/v2/dags/{TENANT_DAG}/dagRuns", {"logical_date": None}, token)


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def check(s: Settings, probe: Callable[[], Any], timeout: float, what: str, log: str) -> None:
    """Wait for ``probe``; fail with the log's tail when it times out or a component died."""

    def ready() -> Any:
        if dead := [name for name in (*COMPONENTS, "odoo-test-server") if name not in running(s) and pid_file(s, name)]:
            raise RuntimeError(f"{dead[0]} exited: see {s.home / (dead[0] + '.log')}")
        return probe()

    if not wait_until(ready, timeout, interval=1.0):
        tail = "\n".join((s.home / f"{log}.log").read_text(errors="replace").splitlines()[-30:])
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}\n--- {log}.log ---\n{tail}")


def pid_file(s: Settings, name: str) -> bool:
    return (s.run_dir / f"{name}.pid").exists()


def print_welcome(s: Settings, password: str) -> int:
    odoo = s.real_odoo["url"] or f"http://127.0.0.1:{s.odoo_port} (test server, database acme)"
    print(
        f"""
Airflow 3 is up: {s.url}
  login     {USER} / {password}
  DAGs      {TENANT_DAG} (demo tenant, a run triggered), odoo_health, odoo_drift__acme, ...
  health    {s.url}/ (Odoo integration health in the menu)
  Odoo      {odoo}
  logs      {s.home}/<component>.log, task logs in {s.home}/logs
  CLI       . {s.home}/env.sh && airflow dags list
Stop it with `make down`."""
    )
    return 0


def down(s: Settings) -> int:
    """Stop what the pid files name: scheduler side first, then the api-server (running tasks report to it)."""
    alive = running(s)
    for stage in (("triggerer", "scheduler", "dag-processor"), ("api-server", "odoo-test-server")):
        stop({name: alive[name] for name in stage if name in alive})
    for path in s.run_dir.glob("*.pid") if s.run_dir.is_dir() else []:
        path.unlink()
    print("stopped" if alive else f"nothing running under {s.home}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.local_airflow", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument("--no-run", action="store_true", help="up: do not trigger a run of the demo DAG")
    args = parser.parse_args(argv)
    s = Settings(dict(os.environ))
    if args.command == "up":
        return up(s, trigger=not args.no_run)
    if args.command == "down":
        return down(s)
    alive = running(s)
    print("\n".join(f"{name}: pid {pid}" for name, pid in alive.items()) or f"nothing running under {s.home}")
    return 0 if alive else 1


if __name__ == "__main__":
    raise SystemExit(main())
