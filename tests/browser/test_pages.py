"""The workshop pages in a real browser, on the Utrecht demo: what they show is checked against
the API's JSON of the same run, and every chart against the marks Vega has drawn."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from babel.numbers import parse_decimal
from playwright.sync_api import Browser, Page, expect

from app.optimizer import RunLimits, solve
from app.schemas.scenario import parse_scenario
from app.services.catalogue.demo import SCENARIO_NAME
from app.web.formatting import Numbers
from tests.api.helpers import DESIGN_EXAMPLE
from tests.browser.conftest import (
    ConsoleErrors,
    Site,
    drawn_marks,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)
from tests.tenants import make_tenant

pytestmark = pytest.mark.xdist_group("browser")

RUN_CHARTS = ("spend_year", "spend_domain", "spend_partner", "gap_before", "gap_after")
NL = Numbers("nl")
# Every fifth of the demo's buurten (23): HiGHS proves this one's optimum (mip_gap 0) in about
# 2 s on a 2-core machine, where the whole demo (111 buurten) is not proven in two minutes.
PROVEN_EVERY = 5


@pytest.fixture(scope="module")
def demo_run(site: Site) -> dict[str, Any]:
    scenario = next(s for s in site.api.get("/api/v1/scenarios").json()["items"]
                    if s["name"] == SCENARIO_NAME)
    run_id = site.start_run(scenario["id"])
    run: dict[str, Any] = site.api.get(f"/api/v1/runs/{run_id}").json()
    return run


@pytest.fixture(scope="module")
def proven_run(site: Site, demo_run: dict[str, Any]) -> dict[str, Any]:
    """A run proven optimal: the demo cut to every fifth buurt, the budgets, partners' budgets
    and staff cut in proportion, stored as a scenario of its own with mip_gap 0."""
    document = site.api.get(f"/api/v1/scenarios/{demo_run['scenario_id']}/versions/"
                            f"{demo_run['scenario_version']}").json()["document"]
    kept = document["neighbourhoods"][::PROVEN_EVERY]
    share = len(kept) / len(document["neighbourhoods"])
    document["neighbourhoods"] = kept
    budget = document["budget"]
    budget["total"] = round(budget["total"] * share, -3)
    budget["per_year"] = [round(year * share, -3) for year in budget["per_year"]]
    for partner in document["partners"]:
        partner["budget"]["total"] = round(partner["budget"]["total"] * share, -3)
    for resource in document["resources"].values():
        resource["per_year"] = [round(year * share, 1) for year in resource["per_year"]]
    document["solver"].update(mip_gap=0, time_limit_s=120)
    created = site.api.post("/api/v1/scenarios", json={
        "name": "Demo, every fifth buurt, proven optimum", "document": document})
    assert created.status_code == 201, created.text
    run = site.api.get(f"/api/v1/runs/{site.start_run(created.json()['id'])}").json()
    assert run["recommendation"]["status"] == "optimal", run["recommendation"]["solver"]
    return run


def _dutch(text: str) -> float:
    return float(parse_decimal(text.strip(), locale="nl_NL", strict=True))


class TestSignIn:
    def test_a_wrong_key_is_refused_and_the_demo_key_lists_the_demo_scenario(
            self, site: Site, page: Page, browser: Any) -> None:
        context = browser.new_context()
        stranger = context.new_page()
        stranger.goto(site.base + "/sign-in")
        stranger.fill("#key", "obd_nothing_atall")
        stranger.click("form[action='/sign-in'] button[type=submit]")
        assert stranger.locator("[role=alert]").inner_text() == "the API key is not valid"
        screenshot(stranger, "sign-in")
        context.close()

        page.goto(site.base + "/scenarios")
        names = [s["name"] for s in site.api.get("/api/v1/scenarios").json()["items"]]
        assert page.locator("table.data tbody a").first.inner_text() == names[0]
        screenshot(page, "scenarios")


class TestRunPage:
    def test_the_table_heatmap_and_charts_show_the_run(
            self, site: Site, page: Page, demo_run: dict[str, Any]) -> None:
        recommendation = demo_run["recommendation"]
        page.goto(f"{site.base}/runs/{demo_run['id']}")

        rows = page.locator("#allocations tbody tr")
        assert rows.count() == len(recommendation["allocations"]) > 0
        shown = {row.get_attribute("data-allocation") for row in rows.all()}
        assert shown == {f"{a['intervention']}|{a['neighbourhood']}|{a['start_year']}"
                         for a in recommendation["allocations"]}
        cells = {(i["neighbourhood"], i["domain"]) for i in recommendation["improvements"]}
        for chart in ("gap_before", "gap_after"):
            assert drawn_marks(page, chart) == len(cells)
        assert drawn_marks(page, "spend_year") == 2 * len(recommendation["spend"]["per_year"])
        for chart in RUN_CHARTS:
            assert drawn_marks(page, chart) > 0, chart
        # The demo organisation writes numbers the Dutch way.
        spend = recommendation["spend"]["corporation_limit"]
        assert f"€ {spend:,.0f}".replace(",", ".") in page.locator("#spend").inner_text()
        screenshot(page, "run")

    def test_the_table_sorts_and_filters(self, site: Site, page: Page,
                                         demo_run: dict[str, Any]) -> None:
        page.goto(f"{site.base}/runs/{demo_run['id']}")
        page.click("#allocations thead th:nth-child(7) button")  # value, ascending
        values = [a["value"] for a in demo_run["recommendation"]["allocations"]]
        first = page.locator("#allocations tbody tr").first.locator("td:nth-child(7)")
        assert float(first.get_attribute("data-sort") or "nan") == pytest.approx(min(values))
        buurt = demo_run["recommendation"]["allocations"][0]["neighbourhood_name"]
        page.fill("#allocations-filter", buurt)
        visible = page.locator("#allocations tbody tr:visible")
        expected = [a for a in demo_run["recommendation"]["allocations"]
                    if buurt.lower() in (a["neighbourhood_name"] or "").lower()]
        assert visible.count() == len(expected)

    def test_the_run_page_has_no_serious_accessibility_violations(
            self, site: Site, page: Page, demo_run: dict[str, Any]) -> None:
        page.goto(f"{site.base}/runs/{demo_run['id']}")
        for chart in RUN_CHARTS:
            drawn_marks(page, chart)
        assert serious_accessibility_violations(page) == []


class TestPresenter:
    def test_the_arrow_keys_step_through_one_chart_per_screen(
            self, site: Site, page: Page, demo_run: dict[str, Any]) -> None:
        page.goto(f"{site.base}/runs/{demo_run['id']}/presenter")
        slides = page.locator(".slide")
        assert slides.count() == 1 + len(RUN_CHARTS)
        assert page.locator(".slide:visible").count() == 1
        for index, chart in enumerate(RUN_CHARTS, start=1):
            page.keyboard.press("ArrowRight")
            assert page.locator("[data-slides]").get_attribute("data-current") == str(index)
            assert page.locator(".slide:visible").count() == 1
            assert drawn_marks(page, chart) > 0
        page.keyboard.press("ArrowLeft")
        assert page.locator("[data-slides]").get_attribute("data-current") == str(
            len(RUN_CHARTS) - 1)
        screenshot(page, "presenter")


class TestCompare:
    def test_two_runs_side_by_side_name_what_differs(
            self, site: Site, page: Page, demo_run: dict[str, Any]) -> None:
        scenario_id = demo_run["scenario_id"]
        version = site.api.get(f"/api/v1/scenarios/{scenario_id}/versions/1").json()
        document = version["document"]
        document["budget"]["per_year"][0] = 600_000
        changed = site.api.put(f"/api/v1/scenarios/{scenario_id}", json={"document": document})
        assert changed.status_code == 200, changed.text
        other = site.start_run(scenario_id)
        answer = site.api.get("/api/v1/compare", params={"runs": f"{demo_run['id']},{other}"})
        assert answer.status_code == 200, answer.text

        page.goto(f"{site.base}/scenarios/{scenario_id}")
        page.check(f"input[value='{demo_run['id']}']")
        page.check(f"input[value='{other}']")
        page.click("text=Compare the chosen runs")
        assert page.locator("#compare-headline tbody tr").count() == 2
        paths = page.locator("#differences tbody td:first-child").all_inner_texts()
        assert paths == [d["path"] for d in answer.json()["differences"]]
        assert "budget.per_year[0]" in paths
        for chart in ("compare_spend", "compare_improvement"):
            assert drawn_marks(page, chart) > 0
        screenshot(page, "compare")


class TestWhatIf:
    def test_leaving_a_run_out_shows_the_objective_of_a_fresh_solve(
            self, site: Site, page: Page, proven_run: dict[str, Any]) -> None:
        allocations = proven_run["recommendation"]["allocations"]
        dropped = max(allocations, key=lambda a: a["value"])
        pair = f"{dropped['intervention']}|{dropped['neighbourhood']}"
        page.goto(f"{site.base}/runs/{proven_run['id']}")
        page.check(f"input[name=leave_out][value='{pair}']")
        page.click("#whatif-form button[type=submit]")
        expect(page.locator("#whatif-solving")).to_be_visible()
        shown = page.locator("#whatif-objective")
        shown.wait_for(timeout=120_000)
        new_run = site.wait_for_run(
            page.locator("#whatif-answer").get_attribute("data-run") or "")
        screenshot(page, "whatif")

        version = site.api.get(f"/api/v1/scenarios/{proven_run['scenario_id']}/versions/"
                               f"{proven_run['scenario_version']}").json()
        document = version["document"]
        document["rules"]["locks"] = [*document["rules"].get("locks", []), {
            "intervention": dropped["intervention"], "neighbourhood": dropped["neighbourhood"],
            "fund": False}]
        fresh = solve(parse_scenario(document), RunLimits(explain=False))
        whatif = new_run["recommendation"]
        assert pair not in {f"{a['intervention']}|{a['neighbourhood']}"
                            for a in whatif["allocations"]}
        # Both solves proved their optimum (mip_gap 0), so both have the one optimal value.
        for proved in (fresh.model_dump(), whatif):
            assert proved["status"] == "optimal", proved["solver"]
            assert proved["gap"] == pytest.approx(0.0, abs=1e-9)
        assert fresh.objective is not None
        before = proven_run["recommendation"]["objective"]
        assert 0 < fresh.objective < before

        # The panel shows before → after the Dutch way (the demo organisation's locale).
        before_text, after_text = page.locator(
            "#whatif-answer dd").first.inner_text().split("(")[0].split("→")
        assert _dutch(before_text) == round(before, 1)
        assert shown.inner_text() == after_text.strip() == NL.number(fresh.objective, 1)
        assert _dutch(after_text) == round(fresh.objective, 1)
        assert float(shown.get_attribute("data-value") or "nan") == pytest.approx(
            fresh.objective, abs=0.005)


class TestFrontier:
    def test_a_sweep_shows_its_progress_and_each_point_opens_its_run(
            self, site: Site, page: Page, demo_run: dict[str, Any]) -> None:
        page.goto(f"{site.base}/scenarios/{demo_run['scenario_id']}")
        page.fill("#sweep-from", "1000000")
        page.fill("#sweep-to", "2000000")
        page.fill("#sweep-steps", "3")
        screenshot(page, "scenario")
        page.click("text=Start a sweep")
        page.wait_for_url(f"{site.base}/sweeps/*")
        sweep_id = page.url.rsplit("/", 1)[1]
        assert page.locator("#sweep-progress").inner_text().strip().startswith(
            ("Solving the sweep: ", "3 / 3 points done"))
        expect(page.locator("#sweep-progress")).to_contain_text("/ 3 points done")
        page.locator("#chart-frontier[data-drawn=yes]").wait_for(timeout=240_000)
        sweep = site.api.get(f"/api/v1/sweeps/{sweep_id}").json()
        assert sweep["points_done"] == sweep["points_total"] == 3
        assert page.locator("#sweep-points tbody tr").count() == 3
        solved = [p for p in sweep["points"] if p["objective"] is not None]
        assert drawn_marks(page, "frontier") == 2 * len(solved)  # the line's and the points'
        screenshot(page, "frontier")

        points = page.locator("#chart-frontier g.mark-symbol.role-mark path")
        assert points.count() == len(solved)
        points.first.click()  # the lowest budget's point
        page.wait_for_url(f"{site.base}/runs/{solved[0]['run_id']}")

    def test_the_scenario_page_lists_its_sweeps_newest_first_and_no_one_elses(
            self, site: Site, page: Page, browser: Browser, demo_run: dict[str, Any]) -> None:
        scenario_id = demo_run["scenario_id"]
        finished = _start_sweep(site.api, scenario_id, [900_000, 1_800_000])
        cancelled = _start_sweep(site.api, scenario_id, [1_000_000, 1_500_000, 2_000_000])
        assert site.api.post(f"/api/v1/sweeps/{cancelled}/cancel").status_code == 202
        other = make_tenant(site.database, "Woonstichting Elders")
        with httpx.Client(base_url=site.base, headers=other.headers(), timeout=60) as theirs:
            document = json.loads(DESIGN_EXAMPLE.read_text())
            created = theirs.post("/api/v1/scenarios", json={"document": document})
            assert created.status_code == 201, created.text
            their_scenario = created.json()["id"]
            their_sweep = _start_sweep(theirs, their_scenario, [100_000, 200_000])
            assert theirs.post(f"/api/v1/sweeps/{their_sweep}/cancel").status_code == 202
        expected = {sweep_id: site.wait_for_sweep(sweep_id) for sweep_id in (finished, cancelled)}

        page.goto(f"{site.base}/scenarios/{scenario_id}")
        screenshot(page, "scenario-sweeps")
        assert serious_accessibility_violations(page) == []
        rows = page.locator("#sweeps tbody tr")
        listed = [row.get_attribute("data-sweep") for row in rows.all()]
        assert listed[:2] == [cancelled, finished]
        assert their_sweep not in listed
        dutch = Numbers("nl")
        for sweep_id, sweep in expected.items():
            row = page.locator(f"#sweeps tr[data-sweep='{sweep_id}']")
            budgets = [p["budget"] for p in sweep["points"]]
            cells = row.locator("td").all_inner_texts()
            assert cells[2] == f"{dutch.euro(min(budgets))} – {dutch.euro(max(budgets))}"
            assert cells[3] == f"{sweep['points_done']} / {sweep['points_total']}"
            assert cells[4] == sweep["state"]
        assert expected[finished]["state"] == "done"
        assert expected[cancelled]["state"] == "cancelled"
        page.locator(f"#sweeps tr[data-sweep='{finished}'] a").click()
        page.wait_for_url(f"{site.base}/sweeps/{finished}")
        page.locator("#chart-frontier[data-drawn=yes]").wait_for(timeout=60_000)

        # The other organisation sees its own sweep on its own scenario, and not the demo's.
        context = browser.new_context(locale="nl-NL")
        stranger = context.new_page()
        sign_in(stranger, site, other.keys["viewer"])
        stranger.goto(f"{site.base}/scenarios/{their_scenario}")
        assert [row.get_attribute("data-sweep") for row in
                stranger.locator("#sweeps tbody tr").all()] == [their_sweep]
        assert stranger.goto(f"{site.base}/scenarios/{scenario_id}").status == 404
        context.close()


def _start_sweep(api: httpx.Client, scenario_id: str, budgets: list[float]) -> str:
    started = api.post(f"/api/v1/scenarios/{scenario_id}/sweeps",
                       json={"budget": {"values": budgets}})
    assert started.status_code == 202, started.text
    sweep_id: str = started.json()["id"]
    return sweep_id


def test_no_page_logged_a_console_error(console_errors: ConsoleErrors) -> None:
    assert list(console_errors) == []
