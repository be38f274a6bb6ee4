"""Screenshots for the README, taken from a running ``make up``: the demo DAG's last run and the health page.

    make up && .venv/bin/python -m scripts.local_screenshots   # writes docs/make-up-run.png, docs/make-up-health.png

Needs Playwright (requirements-dev.txt) and a Chromium (``ODOO_SYNC_CHROMIUM``, default /usr/bin/chromium).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from scripts.local_airflow import REPO, TENANT_DAG, USER, Settings, api, get_token

CHROMIUM = os.environ.get("ODOO_SYNC_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]


def last_successful_run(s: Settings, token: str, timeout: float = 180.0) -> str:
    """The newest successful run of the demo DAG (waits for the one ``up`` triggered)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = api(s, "GET", f"/api/v2/dags/{TENANT_DAG}/dagRuns?order_by=-run_after&limit=20", token=token)
        done = [r["dag_run_id"] for r in runs["dag_runs"] if r["state"] == "success"]
        if done:
            return str(done[0])
        time.sleep(2)
    raise TimeoutError(f"no successful run of {TENANT_DAG} within {timeout:.0f} s")


def main() -> None:
    from playwright.sync_api import sync_playwright

    s = Settings(dict(os.environ))
    token = get_token(s, json.loads((s.home / "passwords.json").read_text())[USER])
    run_id = last_successful_run(s, token)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.add_cookies([{"name": "_token", "value": token, "url": s.url}])
            page = context.new_page()
            page.goto(f"{s.url}/dags/{TENANT_DAG}/runs/{run_id}")
            page.get_by_text("analytic_lines").first.wait_for(timeout=60_000)
            page.wait_for_timeout(2_000)
            shoot(page, REPO / "docs" / "make-up-run.png")
            page.goto(f"{s.url}/plugin/odoo-health")
            page.frame_locator("iframe").first.locator(".card, table").first.wait_for(timeout=60_000)
            page.wait_for_timeout(1_000)
            shoot(page, REPO / "docs" / "make-up-health.png")
        finally:
            browser.close()


def shoot(page: object, path: Path) -> None:
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
