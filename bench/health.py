"""Section 5: one health run over many tenants, some dead and some hung, with the health package's pinger.

The pinger runs in a fresh process (``python -m bench.health worker``) so that its peak RSS is its own;
the servers run in a third process (bench/health_servers.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from bench.env import REPO, last_json_line, peak_rss_mb, set_conn


def measure(tenants: int, dead_share: float, hung_share: float, servers: int, profile: str) -> dict[str, Any]:
    """Start the servers, run one ping_all in a worker process, return its figures."""
    n_dead, n_hung = int(tenants * dead_share), int(tenants * hung_share)
    srv = subprocess.Popen(
        [sys.executable, "-m", "bench.health_servers", str(servers), profile, str(n_dead)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert srv.stdout is not None
        urls = srv.stdout.readline()
        plan = {"tenants": tenants, "dead": n_dead, "hung": n_hung, "urls": json.loads(urls)}
        out = subprocess.run(
            [sys.executable, "-m", "bench.health", "worker"],
            input=json.dumps(plan),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        if srv.stdin:
            srv.stdin.close()
        srv.wait(timeout=30)
    figures = last_json_line(out, "the health worker")
    return {**figures, "tenants": tenants, "servers": servers, "profile": profile, "dead": n_dead, "hung": n_hung}


def _tenant_urls(plan: dict[str, Any]) -> list[str]:
    urls = plan["urls"]
    dead, hung = urls["dead"], [urls["hung"]] * plan["hung"]
    healthy = plan["tenants"] - len(dead) - len(hung)
    return [*dead, *hung, *(urls["healthy"][i % len(urls["healthy"])] for i in range(healthy))]


def worker() -> None:
    """Configure a connection per tenant, ping them all once, print wall time, outcomes and peak RSS."""
    import bench.env  # noqa: F401  (Airflow settings before Airflow is imported)
    from odoo_sync.config import TenantConfig
    from odoo_sync.health.pinger import ping_all
    from odoo_sync.health.settings import load_settings
    from odoo_sync.store.sync_log import RunContext

    plan = json.loads(sys.stdin.read())
    u = plan["urls"]
    tenants = []
    for i, url in enumerate(_tenant_urls(plan)):
        tid = f"t{i:04d}"
        set_conn(
            f"odoo_{tid}",
            conn_type="odoo",
            host=url,
            schema=u["db"],
            login=u["login"],
            password=u["password"],
            extra={"tenant_id": tid},
        )
        tenants.append(TenantConfig(tenant_id=tid, display_name=tid))
    settings = load_settings(env=os.environ)
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    outcomes = ping_all(tenants, settings.ping_timeout_s, settings.concurrency, RunContext("odoo_health", "bench", 1))
    seconds = time.perf_counter() - started
    classes: dict[str, int] = {}
    for o in outcomes:
        name = "ok" if o.result.ok else str(o.result.error_class)
        classes[name] = classes.get(name, 0) + 1
    print(
        json.dumps(
            {
                "seconds": seconds,
                "outcomes": classes,
                "peak_rss_mb": peak_rss_mb(),
                "rss_before_ping_mb": rss_before,
                "timeout_s": settings.ping_timeout_s,
                "concurrency": settings.concurrency,
                "results": len(outcomes),
            }
        ),
        flush=True,
    )
    os._exit(0)  # do not wait for hung ping threads the pinger has already given up on


if __name__ == "__main__":
    if sys.argv[1:] == ["worker"]:
        worker()
