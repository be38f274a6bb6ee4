"""A real, live Airflow on 127.0.0.1 for the scenario tests.

Scheduler (LocalExecutor), dag-processor and api-server (and, with ``triggerer=True``, a triggerer: it runs the
asset watchers of event-driven tenants) run as subprocesses, each in its own process group
(``tests.browser.live_airflow.component``), against a fresh PostgreSQL metadata database that is dropped on
``stop()``. The DAGs folder is the repository's ``dags/``; the tenants file and the connections
(``AIRFLOW_CONN_*``) are given by the caller and passed to every component. The api-server is needed twice: Airflow
3 tasks report to its execution API, and the tests drive Airflow through its REST API (token from ``/auth/token``).

    with LiveAirflow(home, tenants_file=path, connections={"odoo_acme": odoo_conn(server, "acme"), ...}) as af:
        af.wait_for_dag("odoo_sync__acme")
        af.unpause("odoo_sync__acme")
        run_id = af.trigger("odoo_sync__acme")
        assert af.wait_for_run("odoo_sync__acme", run_id) == "success"

Intervals are shortened (dag-processor re-parses every few seconds, scheduler heartbeat 1 s, a task whose
supervisor vanished is failed after 30 s instead of 5 min): a scenario waits seconds, not minutes.
Stopping the scheduler stops the LocalExecutor workers with it, so tasks running at that moment die (as they
would in production when the scheduler's host goes down).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import psycopg

from tests.browser.live_airflow import airflow_env, component, free_port, migrate, token, wait_http
from tests.conftest import PG_HOST, PG_PORT, PG_USER, dsn

T = TypeVar("T")
FINISHED = frozenset({"success", "failed"})
TI_FINISHED = frozenset({"success", "failed", "skipped", "upstream_failed", "removed"})
ORDER = ("api-server", "dag-processor", "scheduler", "triggerer")  # started in this order, stopped in reverse


class Run(NamedTuple):
    """One DAG run as the REST API reports it (datetimes are timezone-aware, UTC)."""

    run_id: str
    run_type: str  # scheduled | manual | backfill | asset_triggered
    state: str  # queued | running | success | failed
    logical_date: datetime | None
    data_interval_start: datetime | None
    data_interval_end: datetime | None


class ApiError(RuntimeError):
    """The REST API answered with an HTTP error."""

    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        super().__init__(f"{method} {path} -> HTTP {status}: {body[:2000]}")
        self.status = status
        self.body = body


def postgres_conn(dbname: str) -> dict[str, Any]:
    """Connection fields (AIRFLOW_CONN_* JSON form) for a database on the test PostgreSQL."""
    return {"conn_type": "postgres", "host": PG_HOST, "port": PG_PORT, "login": PG_USER, "schema": dbname}


def odoo_conn(
    url: str, tenant_id: str, *, db: str, login: str = "admin", password: str = "admin", **extra: Any
) -> dict[str, Any]:
    """Connection fields for an Odoo (type odoo) such as a FakeOdoo at ``url``."""
    return {
        "conn_type": "odoo",
        "host": url,
        "schema": db,
        "login": login,
        "password": password,
        "extra": {"timeout": 10, "tenant_id": tenant_id, **extra},
    }


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"{value!r} has no timezone: Airflow needs aware datetimes")
    return value.astimezone(UTC).isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"({path}: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def _render_log_line(line: str) -> str:
    """Airflow 3 task logs are JSON lines: make one readable (timestamp, level, event, exception)."""
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict):
        return line
    text = f"{record.get('timestamp', '')} {str(record.get('level', '')).upper()} {record.get('event', '')}"
    for detail in record.get("error_detail") or []:
        if isinstance(detail, dict):
            text += f"\n    {detail.get('exc_type')}: {detail.get('exc_value')}"
            for frame in (detail.get("frames") or [])[-3:]:
                text += f"\n      {frame.get('filename')}:{frame.get('lineno')} in {frame.get('name')}"
    return text


def _descendants(root: int) -> set[tuple[int, str]]:
    """(pid, start time) of every live descendant of ``root``, from /proc."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state, ppid, ..., starttime at 19
        children.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found: set[tuple[int, str]] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def _kill_survivors(processes: set[tuple[int, str]]) -> None:
    """SIGKILL those of ``processes`` still alive (same pid and start time: never a recycled pid)."""
    for pid, started in processes:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            if stat[stat.rindex(")") + 2 :].split()[19] == started:
                os.kill(pid, signal.SIGKILL)
        except (OSError, IndexError):
            continue


class LiveAirflow:
    """A live scheduler + dag-processor + api-server; see the module docstring. Use as a context manager."""

    def __init__(
        self,
        home: Path,
        *,
        tenants_file: Path,
        connections: Mapping[str, Mapping[str, Any]],
        env: Mapping[str, str] | None = None,
        triggerer: bool = False,
    ) -> None:
        self.home = Path(home)
        self.with_triggerer = triggerer  # asset watchers (event-driven runs) need one; the other scenarios do not
        self.tenants_file = Path(tenants_file)
        self.metadata_db = f"odoo_sync_af_{uuid.uuid4().hex[:10]}"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_folder = self.home / "logs"
        self.env = airflow_env(
            self.home,
            f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.metadata_db}",
            **self._settings(),
            ODOO_SYNC_TENANTS_FILE=str(self.tenants_file),
            **{f"AIRFLOW_CONN_{cid.upper()}": json.dumps(dict(fields)) for cid, fields in connections.items()},
            **(env or {}),
        )
        self._stacks: dict[str, ExitStack] = {}
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, Path] = {}
        self._starts: Counter[str] = Counter()
        self._token: str | None = None
        self._db_created = False
        self._default_tenants = ""

    def _settings(self) -> dict[str, str]:
        return {
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL": "1",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.log_folder),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "2",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "AIRFLOW__DAG_PROCESSOR__PRINT_STATS_INTERVAL": "3600",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "10",
        }

    # -- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> LiveAirflow:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 120.0) -> LiveAirflow:
        """Create and migrate the metadata DB, start api-server, dag-processor and scheduler; pools for the tenants."""
        self.home.mkdir(parents=True, exist_ok=True)
        self._default_tenants = self.tenants_file.read_text()
        try:
            with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.metadata_db}"')
            self._db_created = True
            try:
                migrate(self.env)
            except subprocess.CalledProcessError as exc:
                out = (exc.stdout or b"").decode(errors="replace") + (exc.stderr or b"").decode(errors="replace")
                raise RuntimeError(f"airflow db migrate failed:\n{out[-4000:]}") from exc
            self._start("api-server", ["api-server", "--host", "127.0.0.1", "--port", str(self.port)])
            try:
                wait_http(f"{self.base_url}/api/v2/monitor/health", timeout=timeout, proc=self._procs["api-server"])
            except (TimeoutError, RuntimeError) as exc:
                raise RuntimeError(f"{exc}\n--- api-server log ---\n{_tail(self._logs['api-server'])}") from exc
            self._token = token(self.base_url)
            self.ensure_pools()
            self._start("dag-processor", ["dag-processor"])
            self.start_scheduler(timeout=timeout)
            if self.with_triggerer:
                self.start_triggerer(timeout=timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every component (scheduler first), then drop the metadata database. Safe to call twice."""
        for name in reversed(ORDER):
            self._stop(name)
        if self._db_created:
            with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.metadata_db}" WITH (FORCE)')
            self._db_created = False

    def _start(self, name: str, args: list[str]) -> None:
        self._starts[name] += 1
        n = self._starts[name]
        log = self.home / (f"{name}.log" if n == 1 else f"{name}.{n}.log")
        stack = ExitStack()
        self._procs[name] = stack.enter_context(component(args, self.env, log))
        self._stacks[name], self._logs[name] = stack, log

    def _stop(self, name: str, kill: bool = False) -> None:
        """Stop a component's process group, then whatever it spawned into groups of its own (task runners)."""
        stack, proc = self._stacks.pop(name, None), self._procs.pop(name, None)
        if stack is None or proc is None:
            return
        spawned = _descendants(proc.pid)
        if kill and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        stack.close()  # SIGTERM to the process group, SIGKILL after 20 s; closes the log file
        _kill_survivors(spawned | _descendants(proc.pid))

    def start_scheduler(self, timeout: float = 60.0) -> None:
        """Start the scheduler (a new log file each time) and wait for its first heartbeat."""
        if "scheduler" in self._procs:
            raise RuntimeError("the scheduler is already running")
        since = datetime.now(UTC)
        self._start("scheduler", ["scheduler", "--skip-serve-logs"])  # no log server on [::]:8793; logs are local
        self._wait(lambda: self._heartbeat("scheduler", since), timeout, "the scheduler's first heartbeat")

    def start_triggerer(self, timeout: float = 60.0) -> None:
        """Start the triggerer (it runs the asset watchers) and wait for its first heartbeat."""
        since = datetime.now(UTC)
        self._start("triggerer", ["triggerer"])
        self._wait(lambda: self._heartbeat("triggerer", since), timeout, "the triggerer's first heartbeat", "triggerer")

    def stop_scheduler(self, kill: bool = False) -> None:
        """Stop the scheduler with its LocalExecutor workers.

        ``kill=False``: SIGTERM, a clean shutdown: Airflow lets running tasks finish first (SIGKILL after 20 s).
        ``kill=True``: SIGKILL at once, a crash: running tasks die mid-way, their task instances stay ``running``
        until a scheduler is back and fails them for missing heartbeats (30 s here), then they are retried.
        Either way no process of it survives (task runners live in process groups of their own; they go too).
        """
        if "scheduler" not in self._procs:
            raise RuntimeError("the scheduler is not running")
        self._stop("scheduler", kill=kill)

    @property
    def scheduler_running(self) -> bool:
        return "scheduler" in self._procs

    def log_path(self, name: str = "scheduler") -> Path:
        """The current log file of a component (api-server, dag-processor, scheduler)."""
        return self._logs[name]

    def _heartbeat(self, name: str, since: datetime) -> bool:
        health = self._request("GET", "/api/v2/monitor/health", auth=False)
        beat = _dt((health.get(name.replace("-", "_")) or {}).get(f"latest_{name.replace('-', '_')}_heartbeat"))
        return beat is not None and beat >= since

    # -- REST ------------------------------------------------------------------------------------------------
    def api(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        """Call the REST API (``path`` from ``/api/v2/...``) with the admin's token; JSON in, JSON out."""
        return self._request(method, path, body, query=query)

    def _request(
        self, method: str, path: str, body: Any = None, *, auth: bool = True, query: Mapping[str, Any] | None = None
    ) -> Any:
        url = self.base_url + path
        if query:
            params = {k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items() if v is not None}
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self._token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise ApiError(method, path, err.code, err.read().decode(errors="replace")) from None
        return json.loads(raw) if raw else None

    @staticmethod
    def _q(value: str) -> str:
        return urllib.parse.quote(value, safe="")

    # -- DAGs, pools, tenants --------------------------------------------------------------------------------
    def ensure_pools(self) -> None:
        """Create (or resize) pool ``odoo_<tenant>`` for every valid tenant of the tenants file."""
        from odoo_sync.airflow.pools import pools_for
        from odoo_sync.config import load_tenants

        for name, pool in pools_for(load_tenants(self.tenants_file).tenants).items():
            self.set_pool(name, int(pool["slots"]), str(pool.get("description", "")))

    def set_pool(self, name: str, slots: int, description: str = "") -> None:
        body = {"name": name, "slots": slots, "description": description, "include_deferred": False}
        try:
            self.api("POST", "/api/v2/pools", body)
        except ApiError as exc:
            if exc.status != 409:
                raise
            self.api("PATCH", f"/api/v2/pools/{self._q(name)}", body)

    def wait_for_dag(self, dag_id: str, timeout: float = 90.0) -> dict[str, Any]:
        """Wait until the dag-processor has parsed and stored ``dag_id``; fail fast on import errors."""

        def found() -> dict[str, Any] | None:
            try:
                return dict(self.api("GET", f"/api/v2/dags/{self._q(dag_id)}"))
            except ApiError as exc:
                if exc.status != 404:
                    raise
            errors = self.import_errors()
            if errors:
                raise RuntimeError(f"{dag_id} is not there and DAG files fail to import:\n" + "\n".join(errors))
            return None

        return self._wait(found, timeout, f"DAG {dag_id} to be parsed", log="dag-processor")

    def import_errors(self) -> list[str]:
        answer = self.api("GET", "/api/v2/importErrors", limit=100)
        return [f"{e['filename']}: {e['stack_trace']}" for e in answer.get("import_errors", [])]

    def pause(self, dag_id: str) -> None:
        self.api("PATCH", f"/api/v2/dags/{self._q(dag_id)}", {"is_paused": True})

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/api/v2/dags/{self._q(dag_id)}", {"is_paused": False})

    def write_tenants(self, text: str, timeout: float = 60.0) -> None:
        """Replace the tenants file, create the pools it needs, and wait until its DAG file is parsed again."""
        since = datetime.now(UTC)
        self.tenants_file.write_text(text)
        self.ensure_pools()
        self.wait_for_reparse(since, timeout)

    def wait_for_reparse(
        self, since: datetime, timeout: float = 60.0, file_suffix: str = "odoo_sync_tenants.py"
    ) -> None:
        """Wait until the dag-processor has parsed the DAG file ``file_suffix`` again after ``since``."""

        def parsed() -> bool:
            with psycopg.connect(dsn(self.metadata_db)) as conn:
                row = conn.execute(
                    "SELECT max(last_parsed_time) FROM dag WHERE relative_fileloc LIKE %s", (f"%{file_suffix}",)
                ).fetchone()
            return bool(row and row[0] and row[0] > since)

        self._wait(parsed, timeout, f"{file_suffix} to be parsed again", log="dag-processor")

    # -- runs ------------------------------------------------------------------------------------------------
    def trigger(
        self,
        dag_id: str,
        logical_date: datetime | None = None,
        conf: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> str:
        """Trigger a manual run (POST /dags/{id}/dagRuns), with or without a logical date; returns its run_id."""
        body: dict[str, Any] = {"logical_date": _iso(logical_date) if logical_date else None, "conf": dict(conf or {})}
        if run_id:
            body["dag_run_id"] = run_id
        return str(self.api("POST", f"/api/v2/dags/{self._q(dag_id)}/dagRuns", body)["dag_run_id"])

    def run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        """The REST API's whole record of one run (run_after, conf, start/end dates, triggered_by...)."""
        return dict(self.api("GET", f"/api/v2/dags/{self._q(dag_id)}/dagRuns/{self._q(run_id)}"))

    def runs(self, dag_id: str, run_type: str | None = None) -> list[Run]:
        """Every run of ``dag_id`` (optionally of one run_type), oldest first (by run_after)."""
        records: list[dict[str, Any]] = []
        while True:
            page = self.api(
                "GET",
                f"/api/v2/dags/{self._q(dag_id)}/dagRuns",
                run_type=run_type,
                order_by="run_after",
                limit=100,
                offset=len(records),
            )
            records.extend(page["dag_runs"])
            if not page["dag_runs"] or len(records) >= page["total_entries"]:
                break
        return [self._run(r) for r in records]

    @staticmethod
    def _run(r: Mapping[str, Any]) -> Run:
        return Run(
            r["dag_run_id"],
            r["run_type"],
            r["state"],
            _dt(r["logical_date"]),
            _dt(r["data_interval_start"]),
            _dt(r["data_interval_end"]),
        )

    def wait_for_new_run(
        self, dag_id: str, run_type: str = "scheduled", *, exclude: Iterable[str] = (), timeout: float = 120.0
    ) -> Run:
        """Wait until a run of ``run_type`` exists whose run_id is not in ``exclude``; returns the oldest such."""
        known = set(exclude)

        def new() -> Run | None:
            return next((r for r in self.runs(dag_id, run_type) if r.run_id not in known), None)

        return self._wait(new, timeout, f"a new {run_type} run of {dag_id}")

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 180.0) -> str:
        """Wait until the run is success or failed and return that state; a failed run's diagnosis is printed."""

        def finished() -> str | None:
            state = str(self.run(dag_id, run_id)["state"])
            return state if state in FINISHED else None

        try:
            state = self._wait(finished, timeout, f"run {run_id} of {dag_id} to finish")
        except TimeoutError as exc:
            paused = self.api("GET", f"/api/v2/dags/{self._q(dag_id)}")["is_paused"]
            hint = f"\n{dag_id} is PAUSED: the scheduler starts none of its runs" if paused else ""
            raise TimeoutError(f"{exc}{hint}\n--- run ---\n{self.describe_run(dag_id, run_id)}") from None
        if state != "success":
            print(self.describe_run(dag_id, run_id))
        return state

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        """task_id -> state of one run's task instances."""
        answer = self.api("GET", f"/api/v2/dags/{self._q(dag_id)}/dagRuns/{self._q(run_id)}/taskInstances", limit=100)
        return {ti["task_id"]: ti["state"] for ti in answer["task_instances"]}

    def cpu_seconds(self, name: str) -> float:
        """CPU seconds used so far by a component and its live descendants (with the children they reaped)."""
        proc = self._procs[name]
        total = 0
        for pid in {proc.pid} | {pid for pid, _ in _descendants(proc.pid)}:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()  # utime, stime, cutime, cstime at 11..14
            total += sum(int(v) for v in fields[11:15])
        return total / os.sysconf("SC_CLK_TCK")

    def task_launches(self, dag_id: str, since: datetime) -> list[tuple[str, str, str]]:
        """(run_id, task_id, state) of the task instances that started on a worker since ``since`` (a skipped
        task never reaches one: it has no hostname)."""
        with psycopg.connect(dsn(self.metadata_db)) as conn:
            rows = conn.execute(
                "SELECT run_id, task_id, state FROM task_instance WHERE dag_id = %s AND start_date >= %s"
                " AND coalesce(hostname, '') <> '' ORDER BY start_date",
                (dag_id, since),
            ).fetchall()
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def task_log_paths(self, dag_id: str, run_id: str, task_id: str = "*") -> list[Path]:
        """The task log files of a run (``.../task_id=<t>/attempt=<n>.log``), in attempt order per task."""
        run_dir = self.log_folder / f"dag_id={dag_id}" / f"run_id={run_id}"
        return sorted(run_dir.glob(f"task_id={task_id}/attempt=*.log"))

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int | None = None) -> str:
        """One attempt's task log (the last attempt by default), rendered as readable lines."""
        paths = self.task_log_paths(dag_id, run_id, task_id)
        if try_number is not None:
            paths = [p for p in paths if p.name == f"attempt={try_number}.log"]
        if not paths:
            return f"(no log for {dag_id} / {run_id} / {task_id} under {self.log_folder})"
        path = max(paths, key=lambda p: int(p.stem.split("=")[1]))
        return "\n".join(_render_log_line(line) for line in path.read_text(errors="replace").splitlines())

    def describe_run(self, dag_id: str, run_id: str, tail: int = 30) -> str:
        """Run state and interval, each task's state, and log path + tail of each task that did not succeed."""
        try:
            r = self.run(dag_id, run_id)
            states = self.task_states(dag_id, run_id)
        except (ApiError, OSError) as exc:
            return f"(cannot describe {run_id}: {exc})"
        out = [
            f"run {run_id} of {dag_id}: {r['state']} ({r['run_type']}, logical_date {r['logical_date']},"
            f" interval {r['data_interval_start']} .. {r['data_interval_end']})",
            *(f"  {task}: {state}" for task, state in states.items()),
        ]
        for task, state in states.items():
            if state in {"failed", "up_for_retry", "upstream_failed"} or (state and state not in TI_FINISHED):
                paths = self.task_log_paths(dag_id, run_id, task)
                if paths:
                    out.append(f"--- {task} ({state}): {paths[-1]} ---")
                    out.append("\n".join(self.task_log(dag_id, run_id, task).splitlines()[-tail:]))
        return "\n".join(out)

    # -- backfills -------------------------------------------------------------------------------------------
    def create_backfill(
        self,
        dag_id: str,
        from_date: datetime,
        to_date: datetime,
        *,
        reprocess_behavior: str = "none",
        conf: Mapping[str, Any] | None = None,
        max_active_runs: int = 10,
    ) -> int:
        """POST /backfills (what the UI's Backfill button does); returns the backfill id."""
        body = {
            "dag_id": dag_id,
            "from_date": _iso(from_date),
            "to_date": _iso(to_date),
            "reprocess_behavior": reprocess_behavior,
            "dag_run_conf": dict(conf or {}),
            "max_active_runs": max_active_runs,
        }
        return int(self.api("POST", "/api/v2/backfills", body)["id"])

    def backfill_runs(self, backfill_id: int) -> list[Run]:
        """The runs a backfill created, in its order (read from the metadata DB: the REST API does not link them)."""
        with psycopg.connect(dsn(self.metadata_db)) as conn:
            rows = conn.execute(
                "SELECT dr.run_id, dr.run_type, dr.state, dr.logical_date, dr.data_interval_start,"
                " dr.data_interval_end FROM backfill_dag_run b JOIN dag_run dr ON dr.id = b.dag_run_id"
                " WHERE b.backfill_id = %s ORDER BY b.sort_ordinal",
                (backfill_id,),
            ).fetchall()
        return [Run(*(v.astimezone(UTC) if isinstance(v, datetime) else v for v in row)) for row in rows]

    def wait_for_backfill(self, backfill_id: int, timeout: float = 300.0) -> list[Run]:
        """Wait until the backfill is completed and all its runs finished; returns them."""

        def done() -> list[Run] | None:
            info = self.api("GET", f"/api/v2/backfills/{backfill_id}")
            runs = self.backfill_runs(backfill_id)
            finished = info["completed_at"] is not None and all(r.state in FINISHED for r in runs)
            return runs if finished else None

        return self._wait(done, timeout, f"backfill {backfill_id} to complete")

    def backfill(
        self,
        dag_id: str,
        from_date: datetime,
        to_date: datetime,
        *,
        reprocess_behavior: str = "none",
        conf: Mapping[str, Any] | None = None,
        max_active_runs: int = 10,
        timeout: float = 300.0,
    ) -> list[Run]:
        """Create a backfill over [from_date, to_date] and wait for all its runs; returns them.

        The DAG must be unpaused: the scheduler starts no run of a paused DAG, backfill runs included. Backfill
        runs are bounded by the backfill's ``max_active_runs``, not by the DAG's.
        """
        if self.api("GET", f"/api/v2/dags/{self._q(dag_id)}")["is_paused"]:
            raise RuntimeError(f"{dag_id} is paused: its backfill runs would never start; unpause() it first")
        backfill_id = self.create_backfill(
            dag_id,
            from_date,
            to_date,
            reprocess_behavior=reprocess_behavior,
            conf=conf,
            max_active_runs=max_active_runs,
        )
        return self.wait_for_backfill(backfill_id, timeout)

    # -- between tests ---------------------------------------------------------------------------------------
    def reset(self, timeout: float = 90.0) -> None:
        """Back to a clean state: every DAG paused, no runs, no backfills, the original tenants file, scheduler up.

        When something is still queued or running the scheduler is restarted first, so that no task of the
        previous test is still alive (it would talk to the next test's Odoo).
        """
        dags = self.api("GET", "/api/v2/dags", limit=1000, paused=False)["dags"]
        for dag in dags:
            self.pause(dag["dag_id"])
        with psycopg.connect(dsn(self.metadata_db)) as conn:
            busy = conn.execute(
                "SELECT (SELECT count(*) FROM dag_run WHERE state NOT IN ('success', 'failed'))"
                " + (SELECT count(*) FROM task_instance WHERE state IN ('running', 'queued', 'restarting'))"
            ).fetchone()
        if busy and busy[0] and self.scheduler_running:
            self.stop_scheduler(kill=True)
        with psycopg.connect(dsn(self.metadata_db)) as conn:
            run_ids = conn.execute("SELECT dag_id, run_id FROM dag_run").fetchall()
        for dag_id, run_id in run_ids:
            self._delete_run(dag_id, run_id)
        with psycopg.connect(dsn(self.metadata_db)) as conn:
            conn.execute("DELETE FROM backfill_dag_run")
            conn.execute("UPDATE dag_run SET backfill_id = NULL WHERE backfill_id IS NOT NULL")
            conn.execute("DELETE FROM backfill")
        if self.tenants_file.read_text() != self._default_tenants:
            self.write_tenants(self._default_tenants, timeout)
        if not self.scheduler_running:
            self.start_scheduler(timeout)

    def _delete_run(self, dag_id: str, run_id: str) -> None:
        """Delete a run; one the scheduler started after the pauses (a loaded machine widens that window) is
        stopped with the scheduler and marked failed first."""
        path = f"/api/v2/dags/{self._q(dag_id)}/dagRuns/{self._q(run_id)}"
        try:
            self.api("DELETE", path)
        except ApiError as err:
            if err.status != 409:
                raise
            if self.scheduler_running:
                self.stop_scheduler(kill=True)
            self.api("PATCH", path, {"state": "failed"})
            self.api("DELETE", path)

    # -- waiting ---------------------------------------------------------------------------------------------
    def _check_alive(self) -> None:
        for name, proc in self._procs.items():
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {proc.returncode}\n--- {self._logs[name]} ---\n{_tail(self._logs[name])}"
                )

    def _wait(self, probe: Callable[[], T | None], timeout: float, what: str, log: str = "scheduler") -> T:
        """Poll ``probe`` until it returns something truthy; TimeoutError with the component log's tail."""
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            result = probe()
            if result:
                return result
            if time.monotonic() > deadline:
                name = log if log in self._logs else "scheduler"
                path = self._logs.get(name)
                tail = _tail(path) if path else "(not started)"
                raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}\n--- {path} (tail) ---\n{tail}")
            time.sleep(0.5)
