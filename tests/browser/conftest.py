"""One live server with the demo organisation and one headless Chromium per test module.

Chromium is Debian's (`/usr/bin/chromium`, installed by `.ci/run`). Without it these tests
skip with the reason, except under `CI=true`, where that fails the run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from app.services.catalogue.demo import ensure_demo, fresh_demo_key
from tests.api.live_server import serve
from tests.databases import migrated_database

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).resolve().parent / "assets" / "axe-core" / "axe.min.js"
DEMO = "Demo Utrecht"
RUN_WAIT_S = 120


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or .ci/run)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true: the browser tests are required)", pytrace=False)
    pytest.skip(reason)


@dataclass
class Site:
    base: str
    key: str
    api: httpx.Client
    database: Database
    runs: dict[str, str] = field(default_factory=dict)  # what a test needs → run id

    def wait_for_run(self, run_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + RUN_WAIT_S
        while True:
            run: dict[str, Any] = self.api.get(f"/api/v1/runs/{run_id}").json()
            explaining = run.get("explanation_state") == "pending" and not (
                run.get("recommendation") or {}).get("explanation")
            if run["state"] in ("done", "failed", "cancelled") and not explaining:
                assert run["state"] == "done", run
                return run
            assert time.monotonic() < deadline, f"run {run_id} is still {run['state']}"
            time.sleep(0.3)

    def wait_for_sweep(self, sweep_id: str) -> dict[str, Any]:
        """The sweep once every point has ended (done or cancelled)."""
        deadline = time.monotonic() + RUN_WAIT_S
        while True:
            sweep: dict[str, Any] = self.api.get(f"/api/v1/sweeps/{sweep_id}").json()
            if sweep["state"] != "running" and all(
                    p["state"] in ("done", "failed", "cancelled") for p in sweep["points"]):
                return sweep
            assert time.monotonic() < deadline, f"sweep {sweep_id} is still {sweep['state']}"
            time.sleep(0.3)

    def start_run(self, scenario_id: str) -> str:
        started = self.api.post(f"/api/v1/scenarios/{scenario_id}/runs")
        assert started.status_code == 202, started.text
        run_id: str = started.json()["id"]
        self.wait_for_run(run_id)
        return run_id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on a fresh SQLite database with the demo loaded, its job runner on."""
    _require_chromium()
    with migrated_database("sqlite", tmp_path_factory) as database:
        with database.transaction() as session:
            ensure_demo(session, DEMO)
            key = fresh_demo_key(session, DEMO, "browser tests")
        settings = Settings(database_url=database.url.render_as_string(hide_password=False),
                            runner_enabled=True, runner_poll_s=0.1, demo=False,
                            webhook_dispatcher_enabled=False)
        with serve(create_app(settings, database=database), lifespan="on") as base:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"},
                              timeout=60) as api:
                yield Site(base=base, key=key, api=api, database=database)


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class ConsoleErrors(list[str]):
    def watch(self, page: Page) -> None:
        page.on("console", lambda m: self.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.append(str(e)))


@pytest.fixture(scope="module")
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture(scope="module")
def page(site: Site, browser: Browser, console_errors: ConsoleErrors) -> Iterator[Page]:
    """A signed-in page: the sign-in form, filled in with the demo key."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
    signed_in = context.new_page()
    console_errors.watch(signed_in)
    sign_in(signed_in, site, site.key)
    yield signed_in
    context.close()


def sign_in(page: Page, site: Site, key: str) -> None:
    page.goto(site.base + "/scenarios")
    assert "/sign-in" in page.url
    page.fill("#key", key)
    page.click("form[action='/sign-in'] button[type=submit]")
    page.wait_for_url(site.base + "/scenarios")


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # Generous: a full page of hundreds of rows and SVG cells on a loaded machine.
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, timeout=180_000)


# Counts the items a Vega view has drawn for its marks (not axes, legends or titles).
COUNT_MARKS = """name => {
  const view = window.onderbouwdCharts[name];
  if (!view) return -1;
  let count = 0;
  const walk = mark => {
    for (const item of mark.items || []) {
      if (mark.marktype === 'group') { for (const child of item.items || []) walk(child); }
      else if (mark.role === 'mark') { count += 1; }
    }
  };
  walk(view.scenegraph().root);
  return count;
}"""


def drawn_marks(page: Page, chart: str) -> int:
    page.wait_for_function("name => window.onderbouwdCharts && window.onderbouwdCharts[name]",
                           arg=chart, timeout=30_000)
    marks: int = page.evaluate(COUNT_MARKS, chart)
    return marks


def serious_accessibility_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. "
            f"{v['nodes'][0]['html'][:120]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
