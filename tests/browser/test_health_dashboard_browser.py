"""The dashboard inside a real `airflow api-server` on 127.0.0.1, seen by headless Chromium (Debian's)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.browser.live_airflow import airflow_env, component, free_port, get, migrate, token, wait_http
from tests.conftest import REPO
from tests.integration.test_health_dashboard import SEEDED_TENANTS, seed

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("ODOO_SYNC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The README's picture is refreshed on request only, so a test run leaves the work tree clean.
SCREENSHOT = (
    REPO / "docs" / "health-dashboard.png"
    if os.environ.get("ODOO_SYNC_UPDATE_SCREENSHOT")
    else Path(tempfile.gettempdir()) / "odoo-sync-health-dashboard.png"
)


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory, pg_database: str) -> Iterator[str]:
    """A real api-server with this repo's plugin, its own SQLite metadata DB, and the test's odoo_sync_db."""
    home = tmp_path_factory.mktemp("airflow-api")
    env = airflow_env(home, f"sqlite:///{home}/airflow.db")
    migrate(env)
    # The page shows the tenants whose DAGs the user may read: seed()'s tenants get theirs in this metadata DB.
    register = "from tests.integration.airflow_access import register_tenant_dags as r; r({'ops': TENANTS})"
    subprocess.run([sys.executable, "-c", register.replace("TENANTS", repr(SEEDED_TENANTS))], env=env, check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with component(["api-server", "--host", "127.0.0.1", "--port", str(port)], env, home / "api.log") as proc:
        try:
            wait_http(f"{base}/api/v2/monitor/health", proc=proc)
        except Exception:
            print((home / "api.log").read_text()[-4000:])
            raise
        yield base


def test_anonymous_gets_401_and_a_logged_in_user_gets_the_data(api_server: str, db: psycopg.Connection) -> None:
    seed(db)
    for path in ("/odoo-health/", "/odoo-health/api/health", "/odoo-health/api/sync-log"):
        assert get(api_server + path)[0] == 401, path
    status, body = get(api_server + "/odoo-health/api/health", token(api_server))
    assert status == 200 and b'"gamma"' in body


def test_pills_filter_and_screenshot(api_server: str, db: psycopg.Connection) -> None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"chromium not found at {CHROMIUM}: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    seed(db, error="ConnectionRefusedError: [Errno 111] Connection refused")
    db.execute("TRUNCATE odoo_sync.drift_check")
    db.execute(
        "INSERT INTO odoo_sync.drift_check (tenant_id, checked_at, state, totals_drift, missing, findings)"
        " VALUES ('beta', now(), 'drift', 2, 1, %s)",
        ('{"summary": "2 plan totals changed in Odoo by hand; 1 line deleted in Odoo"}',),
    )
    db.execute(
        "INSERT INTO odoo_sync.dry_run (tenant_id, run_id, summary) VALUES ('acme', 'manual__dry', %s)",
        (
            '{"entities": {"line": {"counts": {"create": 4, "write": 0, "remove": 1, "rejected": 0}}},'
            ' "money": {"project": {"PRJ-001": "-412.50"}}}',
        ),
    )
    db.commit()
    jwt = token(api_server)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            context.add_cookies([{"name": "_token", "value": jwt, "url": api_server}])
            page = context.new_page()
            page.goto(f"{api_server}/plugin/odoo-health")
            frame = page.frame_locator("iframe").first
            cards = frame.locator(".card")
            cards.first.wait_for(timeout=30_000)
            pills = {c.get_attribute("data-tenant"): c.get_attribute("data-state") for c in cards.all()}
            assert pills == {"acme": "green", "beta": "amber", "gamma": "red"}
            colours = {
                t: frame.locator(f'.card[data-tenant="{t}"] .pill').evaluate("e => getComputedStyle(e).backgroundColor")
                for t in pills
            }
            assert colours == {
                "acme": "rgb(30, 125, 50)",
                "beta": "rgb(178, 106, 0)",
                "gamma": "rgb(179, 38, 30)",
            }
            badge = frame.locator('.card[data-tenant="beta"] [data-testid="drift-badge"]')
            assert (badge.get_attribute("data-drift"), badge.is_visible()) == ("drift", True)
            assert "1 line deleted in Odoo" in frame.locator('.card[data-tenant="beta"] .drift-summary').inner_text()
            dry_run = frame.locator('table[data-testid="dry-runs"] tr[data-tenant="acme"]')
            assert dry_run.is_visible() and "line: 4 / 0 / 1" in dry_run.inner_text()
            assert "PRJ-001: -412.50" in dry_run.inner_text()
            frame.locator('input[name="key"]').fill("acme:project:PRJ-007:create")
            frame.locator('button[type="submit"]').click()
            rows = frame.locator('table[data-testid="sync-log"] tbody tr')
            frame.locator("td.key", has_text="acme:project:PRJ-007:create").wait_for(timeout=15_000)
            assert rows.count() == 1
            assert frame.locator("td.key").first.inner_text() == "acme:project:PRJ-007:create"
            page.wait_for_timeout(500)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
