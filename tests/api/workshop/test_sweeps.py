"""Budget sweeps: on small random scenarios the frontier never falls as the budget grows, each
point's objective is a fresh solve of the document at that budget (mip_gap 0), and enter /
leave are exactly the differences of consecutive plans. Points are plan-only unless the sweep
asks to explain them. Cancel, webhook, downloads, the scenario's list of sweeps."""

from __future__ import annotations

import copy
import csv
import io
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.models import WebhookEvent
from app.schemas.scenario import parse_scenario
from app.services.planning.solving import solve_inline
from tests.api.solving_apps import BACKENDS, solving_client
from tests.api.stored import RUNS, SCENARIOS, store
from tests.strategies import small_scenarios
from tests.tenants import Tenant

SWEEPS = "/api/v1/sweeps"
FRACTIONS = (0.3, 0.7, 1.2)


@pytest.fixture(params=BACKENDS)
def running(request: pytest.FixtureRequest, db: Database, tenant_a: Tenant,
            test_settings: Settings) -> Iterator[TestClient]:
    """A planner's client of an app whose runs are solved: by its embedded runner, or by two
    Celery worker processes on Redis and PostgreSQL."""
    with solving_client(request, db, tenant_a, test_settings) as client:
        yield client


def _reference(document: dict[str, Any]) -> float:
    limit = document.get("budget") or {}
    return float(limit.get("total") or sum(limit.get("per_year") or []) or 0.0)


def _at(document: dict[str, Any], budget: float, scale: str) -> dict[str, Any]:
    """The document at `budget`, as the sweep is documented to make it (written out here)."""
    changed = copy.deepcopy(document)
    limit = changed.setdefault("budget", {})
    reference = limit.get("total") or sum(limit.get("per_year") or [])
    if scale == "proportional" and limit.get("per_year"):
        limit["per_year"] = [round(v * budget / reference, 2) if reference else 0.0
                             for v in limit["per_year"]]
    limit["total"] = budget
    return changed


def _finished(client: TestClient, location: str, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        sweep: dict[str, Any] = client.get(location).json()
        if sweep["state"] != "running":
            return sweep
        assert time.monotonic() < deadline, f"sweep not done: {sweep['points_done']} done"
        time.sleep(0.05)


def _explained(client: TestClient, run_id: str, timeout_s: float = 60) -> dict[str, Any]:
    """The run once its explanation is no longer pending (the point counts as done with its
    plan, before the explanation is written)."""
    deadline = time.monotonic() + timeout_s
    while True:
        run: dict[str, Any] = client.get(f"{RUNS}/{run_id}").json()
        if run["explanation_state"] != "pending":
            return run
        assert time.monotonic() < deadline, "the explanation is still pending"
        time.sleep(0.05)


def _funded(run: dict[str, Any]) -> set[tuple[str, str, int]]:
    allocations = (run.get("recommendation") or {}).get("allocations") or []
    return {(a["intervention"], a["neighbourhood"], a["start_year"]) for a in allocations}


def _keys(items: list[dict[str, Any]] | None) -> set[tuple[str, str, int]]:
    return {(a["intervention"], a["neighbourhood"], a["start_year"]) for a in items or []}


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=small_scenarios())
def test_the_frontier_is_fresh_solves_non_decreasing_with_exact_enter_and_leave(
    running: TestClient, test_settings: Settings, document: dict[str, Any]
) -> None:
    reference = _reference(document) or 1000.0
    budgets = [round(f * reference, 2) for f in FRACTIONS]
    scenario = store(running, document)
    stored = running.get(f"{SCENARIOS}/{scenario['id']}/versions/1").json()["document"]

    response = running.post(f"{SCENARIOS}/{scenario['id']}/sweeps",
                            json={"budget": {"values": budgets}})
    assert response.status_code == 202, response.text
    sweep = _finished(running, response.headers["location"])

    assert (sweep["state"], sweep["points_done"], sweep["points_total"]) == ("done", 3, 3)
    assert sweep["explain"] is False
    points = sweep["points"]
    assert [p["budget"] for p in points] == sorted(set(budgets))
    runs = [running.get(f"{RUNS}/{p['run_id']}").json() for p in points]
    assert all(r["sweep_id"] == sweep["id"] for r in runs)
    # plan-only: no point's run is explained
    assert {r["explanation_state"] for r in runs} == {"skipped"}
    assert all((r["recommendation"] or {}).get("explanation") is None for r in runs)
    objectives = []
    for point, run in zip(points, runs, strict=True):
        fresh = solve_inline(parse_scenario(_at(stored, point["budget"], "proportional")),
                             test_settings, explain=False)
        assert point["status"] == fresh.status
        if fresh.objective is None:
            assert point["objective"] is None
            continue
        assert point["objective"] == pytest.approx(fresh.objective, rel=1e-9, abs=1e-6)
        objectives.append(point["objective"])
        assert point["corporation_spend"] == run["recommendation"]["spend"]["corporation_total"]
    assert all(a <= b + 1e-6 for a, b in zip(objectives, objectives[1:], strict=False))
    before: set[tuple[str, str, int]] = set()
    for point, run in zip(points, runs, strict=True):
        now = _funded(run)
        assert _keys(point["enter"]) == now - before
        assert _keys(point["leave"]) == before - now
        before = now
    # a point claimed once another had a plan started from that plan: a point of this sweep
    sweep_runs = {p["run_id"] for p in points}
    assert all(r["start_from_run_id"] in sweep_runs | {None} for r in runs)


class TestSweep:
    def test_total_only_keeps_the_years_and_the_event_is_sent_once(
        self, running: TestClient, design_example: dict[str, Any], db: Database,
        test_settings: Settings
    ) -> None:
        design_example["solver"]["mip_gap"] = 0
        scenario = store(running, design_example)
        response = running.post(f"{SCENARIOS}/{scenario['id']}/sweeps", json={
            "budget": {"from": 200000, "to": 500000, "steps": 4}, "scale": "total_only"})
        assert response.status_code == 202, response.text
        sweep = _finished(running, response.headers["location"])

        assert [p["budget"] for p in sweep["points"]] == [200000, 300000, 400000, 500000]
        for point in sweep["points"]:
            run = running.get(f"{RUNS}/{point['run_id']}").json()
            fresh = solve_inline(parse_scenario(_at(design_example, point["budget"],
                                                    "total_only")), test_settings,
                                 explain=False)
            assert point["objective"] == pytest.approx(fresh.objective, abs=1e-6)
            assert run["scenario_version"] == 1
        assert sweep["points"][-1]["objective"] == pytest.approx(10737.17, abs=0.01)
        listed = running.get(RUNS, params={"scenario_id": scenario["id"]}).json()["items"]
        assert {r["id"] for r in listed} == {p["run_id"] for p in sweep["points"]}
        deadline = time.monotonic() + 10
        while True:
            with db.read_transaction() as session:
                events = session.scalars(select(WebhookEvent).where(
                    WebhookEvent.type == "sweep.finished")).all()
                data = [e.data for e in events]
            if data or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [(d["sweep_id"], d["points_total"]) for d in data] == [(sweep["id"], 4)]

    def test_explain_true_explains_each_point_as_an_ordinary_run(
        self, running: TestClient, design_example: dict[str, Any], test_settings: Settings
    ) -> None:
        design_example["solver"]["mip_gap"] = 0
        scenario = store(running, design_example)
        response = running.post(f"{SCENARIOS}/{scenario['id']}/sweeps", json={
            "budget": {"values": [250000, 500000]}, "explain": True})
        assert response.status_code == 202, response.text
        assert response.json()["explain"] is True
        sweep = _finished(running, response.headers["location"])

        assert sweep["explain"] is True
        for point in sweep["points"]:
            run = _explained(running, point["run_id"])
            assert run["explanation_state"] == "ready"
            explanation = run["recommendation"]["explanation"]
            fresh = solve_inline(parse_scenario(_at(design_example, point["budget"],
                                                    "proportional")), test_settings)
            assert fresh.explanation is not None
            assert {s["line"] for s in explanation["next_step"]} == {
                s.line for s in fresh.explanation.next_step}
            assert point["objective"] == pytest.approx(fresh.objective, abs=1e-6)

    def test_cancel_stops_the_points_not_yet_solved(
        self, client_factory: Any, design_example: dict[str, Any]
    ) -> None:
        client = client_factory("planner")  # no runner: every point stays queued
        scenario = store(client, design_example)
        created = client.post(f"{SCENARIOS}/{scenario['id']}/sweeps",
                              json={"budget": {"values": [100000, 300000]}}).json()
        cancelled = client.post(f"{SWEEPS}/{created['id']}/cancel")
        assert cancelled.status_code == 202
        body = cancelled.json()
        assert body["state"] == "cancelled"
        assert [p["state"] for p in body["points"]] == ["cancelled", "cancelled"]
        assert client.get(f"{SWEEPS}/{created['id']}").json()["state"] == "cancelled"

    def test_a_sweep_counts_as_one_solve_at_once(
        self, client_factory: Any, design_example: dict[str, Any]
    ) -> None:
        client = client_factory("planner", org_max_active_runs=2)
        scenario = store(client, design_example)
        twelve = {"budget": {"from": 100000, "to": 1200000, "steps": 12}}
        assert client.post(f"{SCENARIOS}/{scenario['id']}/sweeps", json=twelve
                           ).status_code == 202
        assert client.post(f"{SCENARIOS}/{scenario['id']}/runs").status_code == 202
        assert client.post(f"{SCENARIOS}/{scenario['id']}/runs").status_code == 429


class TestScenarioSweeps:
    def test_listed_newest_first_with_the_counts_of_each_sweep(
        self, running: TestClient, design_example: dict[str, Any], client_factory: Any
    ) -> None:
        scenario = store(running, design_example)
        other = store(running, design_example)
        started = []
        for body in ({"budget": {"values": [250000, 500000]}},
                     {"budget": {"from": 300000, "to": 500000, "steps": 3}, "explain": True},
                     {"budget": {"values": [400000]}, "scale": "total_only"}):
            response = running.post(f"{SCENARIOS}/{scenario['id']}/sweeps", json=body)
            assert response.status_code == 202, response.text
            started.append(response.json()["id"])
        assert running.post(f"{SCENARIOS}/{other['id']}/sweeps",
                            json={"budget": {"values": [500000]}}).status_code == 202
        sweeps = {i: _finished(running, f"{SWEEPS}/{i}") for i in started}

        listed = running.get(f"{SCENARIOS}/{scenario['id']}/sweeps")
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert [i["id"] for i in items] == started[::-1]
        assert listed.json()["next_cursor"] is None
        for item in items:
            sweep = sweeps[item["id"]]
            budgets = [p["budget"] for p in sweep["points"]]
            assert (item["points_done"], item["points_total"], item["state"],
                    item["explain"], item["scale"], item["budget_from"], item["budget_to"]) == (
                sweep["points_done"], sweep["points_total"], sweep["state"],
                sweep["explain"], sweep["scale"], min(budgets), max(budgets))
            assert running.get(item["links"]["sweep"]).json()["id"] == item["id"]
            frontier = running.get(item["links"]["frontier"])
            assert frontier.status_code == 200
            assert len(frontier.text.strip().splitlines()) == 1 + sweep["points_total"]
        assert [i["points_total"] for i in items] == [1, 3, 2]

        # a page at a time, newest first, every sweep once; a viewer reads it too
        viewer = client_factory("viewer")
        paged: list[str] = []
        cursor = None
        while True:
            page = viewer.get(f"{SCENARIOS}/{scenario['id']}/sweeps",
                              params={"limit": 2, **({"cursor": cursor} if cursor else {})})
            assert page.status_code == 200, page.text
            paged += [i["id"] for i in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
        assert paged == started[::-1]

    def test_a_scenario_without_sweeps_lists_none_and_an_unknown_one_is_404(
        self, client_factory: Any, design_example: dict[str, Any]
    ) -> None:
        client = client_factory("viewer")
        planner = client_factory("planner")
        scenario = store(planner, design_example)
        listed = client.get(f"{SCENARIOS}/{scenario['id']}/sweeps")
        assert listed.json() == {"items": [], "next_cursor": None}
        missing = client.get(f"{SCENARIOS}/{uuid.uuid4()}/sweeps")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize("cursor", ["nonsense", "eyJhZnRlciI6ImEifQ"])
    def test_a_bad_cursor_is_a_422_naming_it(
        self, client_factory: Any, design_example: dict[str, Any], cursor: str
    ) -> None:
        client = client_factory("planner")
        scenario = store(client, design_example)
        response = client.get(f"{SCENARIOS}/{scenario['id']}/sweeps", params={"cursor": cursor})
        assert response.status_code == 422, response.text
        assert [e["path"] for e in response.json()["errors"]] == ["cursor"]


class TestBadSweeps:
    @pytest.mark.parametrize("body", [
        {"budget": {"from": 5, "to": 1, "steps": 3}},
        {"budget": {"from": 1, "to": 5}},
        {"budget": {"from": 1, "to": 5, "steps": 3, "values": [1]}},
        {"budget": {"values": []}},
        {"budget": {"values": [-1]}},
        {"budget": {"from": 1, "to": 5, "steps": 51}},
        {"budget": {"values": [1]}, "scale": "sideways"},
        {"budget": {"values": [1]}, "budjet": 1},
    ])
    def test_a_bad_body_is_a_422(self, client_factory: Any, design_example: dict[str, Any],
                                 body: dict[str, Any]) -> None:
        client = client_factory("planner")
        scenario = store(client, design_example)
        response = client.post(f"{SCENARIOS}/{scenario['id']}/sweeps", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"]

    @pytest.mark.parametrize("explain", ["yes", 1, None, [True], {"on": True}])
    def test_a_non_boolean_explain_is_a_422_naming_it(
        self, client_factory: Any, design_example: dict[str, Any], explain: Any
    ) -> None:
        client = client_factory("planner")
        scenario = store(client, design_example)
        response = client.post(f"{SCENARIOS}/{scenario['id']}/sweeps",
                               json={"budget": {"values": [1000]}, "explain": explain})
        assert response.status_code == 422, response.text
        # paths are relative to the body, as every problem document here names them
        assert [e["path"] for e in response.json()["errors"]] == ["explain"]
        assert client.get(RUNS).json()["items"] == []

    def test_an_unknown_version_is_a_404(self, client_factory: Any,
                                         design_example: dict[str, Any]) -> None:
        client = client_factory("planner")
        scenario = store(client, design_example)
        response = client.post(f"{SCENARIOS}/{scenario['id']}/sweeps",
                               json={"budget": {"values": [1]}, "version": 7})
        assert response.status_code == 404


class TestFrontierFiles:
    def test_csv_and_xlsx_read_back_to_the_json(
        self, running: TestClient, design_example: dict[str, Any]
    ) -> None:
        scenario = store(running, design_example)
        response = running.post(f"{SCENARIOS}/{scenario['id']}/sweeps",
                                json={"budget": {"values": [150000, 500000]}})
        sweep = _finished(running, response.headers["location"])
        location = response.headers["location"]

        def expected(point: dict[str, Any]) -> list[Any]:
            return [point["budget"], point["run_id"], point["state"], point["status"],
                    point["objective"], point["bound"], point["gap"],
                    point["corporation_spend"],
                    " ".join(f"{a['intervention']}@{a['neighbourhood']}@{a['start_year']}"
                             for a in point["enter"]) or None,
                    " ".join(f"{a['intervention']}@{a['neighbourhood']}@{a['start_year']}"
                             for a in point["leave"]) or None]

        rows = list(csv.reader(io.StringIO(running.get(f"{location}/frontier.csv").text)))
        assert rows[0][:3] == ["budget", "run_id", "state"]
        for row, point in zip(rows[1:], sweep["points"], strict=True):
            want = expected(point)
            assert float(row[0]) == want[0]
            assert row[1:4] == want[1:4]
            assert [float(v) if v else None for v in row[4:8]] == want[4:8]
            assert (row[8] or None) == want[8]
            assert (row[9] or None) == want[9]
        book = load_workbook(io.BytesIO(running.get(f"{location}/frontier.xlsx").content))
        sheet = book["frontier"]
        got = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert got == [expected(p) for p in sweep["points"]]
        assert "€" in sheet.cell(row=2, column=1).number_format
