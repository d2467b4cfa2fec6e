"""What-if: a patched run re-solved from its plan answers what a fresh solve of the patched
document answers, for a merge patch and a JSON Patch; bad patches are 422s naming the path."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.schemas.scenario import parse_scenario
from app.services.planning.solving import solve_inline
from tests.api.solving_apps import BACKENDS, solving_client
from tests.api.stored import RUNS, SCENARIOS, start, store, wait_until
from tests.tenants import Tenant

MERGE = {"Content-Type": "application/merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}


@pytest.fixture(params=BACKENDS)
def running(request: pytest.FixtureRequest, db: Database, tenant_a: Tenant,
            test_settings: Settings) -> Iterator[TestClient]:
    """A planner's client of an app whose runs are solved: by its embedded runner, or by two
    Celery worker processes on Redis and PostgreSQL."""
    with solving_client(request, db, tenant_a, test_settings) as client:
        yield client


@pytest.fixture
def parent(running: TestClient, design_example: dict[str, Any]) -> dict[str, Any]:
    """A solved run of the DESIGN example, proven optimal (mip_gap 0)."""
    design_example["solver"]["mip_gap"] = 0
    scenario = store(running, design_example)
    return wait_until(running, start(running, scenario["id"])["id"])


def _fresh(document: dict[str, Any], settings: Settings) -> float:
    objective = solve_inline(parse_scenario(document), settings, explain=False).objective
    assert objective is not None
    return objective


class TestWhatIf:
    def test_a_merge_patch_answers_a_fresh_solve_of_the_patched_document(
        self, running: TestClient, parent: dict[str, Any], test_settings: Settings
    ) -> None:
        response = running.post(f"{RUNS}/{parent['id']}/whatif", params={"wait": 60},
                                json={"budget": {"total": 300000}}, headers=MERGE)

        assert response.status_code == 200, response.text
        body = response.json()
        run = body["run"]
        assert response.headers["location"] == f"{RUNS}/{run['id']}"
        assert (run["state"], run["start_from_run_id"]) == ("done", parent["id"])
        document = running.get(f"{SCENARIOS}/{parent['scenario_id']}/versions/1").json()[
            "document"]
        document["budget"]["total"] = 300000
        assert run["objective"] == pytest.approx(_fresh(document, test_settings), abs=1e-6)
        assert run["objective"] < parent["objective"]
        comparison = body["comparison"]
        assert [r["run_id"] for r in comparison["runs"]] == [parent["id"], run["id"]]
        assert comparison["differences"] == [{"path": "budget.total",
                                              "values": [500000, 300000]}]

    def test_a_json_patch_toggling_a_lock_answers_a_fresh_solve(
        self, running: TestClient, parent: dict[str, Any], test_settings: Settings
    ) -> None:
        patch = [{"op": "replace", "path": "/rules/locks/0/fund", "value": False}]
        response = running.post(f"{RUNS}/{parent['id']}/whatif", params={"wait": 60},
                                json=patch, headers=JSON_PATCH)

        assert response.status_code == 200, response.text
        run = response.json()["run"]
        document = running.get(f"{SCENARIOS}/{parent['scenario_id']}/versions/1").json()[
            "document"]
        document["rules"]["locks"][0]["fund"] = False
        assert run["objective"] == pytest.approx(_fresh(document, test_settings), abs=1e-6)
        funded = {(a["intervention"], a["neighbourhood"])
                  for a in wait_until(running, run["id"])["recommendation"]["allocations"]}
        assert ("caretaker", "BU05991571") not in funded

    def test_the_patched_version_is_stored_marked_and_not_current(
        self, running: TestClient, parent: dict[str, Any]
    ) -> None:
        patch = [{"op": "replace", "path": "/budget/per_year/1", "value": 220000}]
        run = running.post(f"{RUNS}/{parent['id']}/whatif", params={"wait": 60},
                           json=patch, headers=JSON_PATCH).json()["run"]

        scenario = running.get(f"{SCENARIOS}/{parent['scenario_id']}").json()
        assert scenario["current_version"] == 1
        version = scenario["versions"][1]
        assert (version["number"], version["source"], version["parent_run_id"],
                version["patch_format"], version["patch"]) == (
            2, "whatif", parent["id"], "json-patch", patch)
        assert run["scenario_version"] == 2
        stored = running.get(f"{SCENARIOS}/{parent['scenario_id']}/versions/2").json()
        assert stored["document"]["budget"]["per_year"] == [200000, 220000, 200000]
        # a new version made by PUT comes after it
        document = copy.deepcopy(stored["document"])
        document["name"] = "renamed"
        put = running.put(f"{SCENARIOS}/{parent['scenario_id']}", json={"document": document})
        assert put.json()["current_version"] == 3
        explained = wait_until(running, run["id"])
        assert explained["explanation_state"] == "ready"
        assert explained["recommendation"]["explanation"] is not None

    def test_without_waiting_it_is_a_202_with_a_location(
        self, running: TestClient, parent: dict[str, Any]
    ) -> None:
        response = running.post(f"{RUNS}/{parent['id']}/whatif", params={"wait": 0},
                                json={"budget": {"total": 400000}}, headers=MERGE)
        assert response.status_code == 202
        assert response.json()["comparison"] is None
        assert wait_until(running, response.json()["run"]["id"])["state"] == "done"


class TestBadPatches:
    def test_a_patch_that_breaks_the_document_is_a_422_naming_the_path(
        self, running: TestClient, parent: dict[str, Any]
    ) -> None:
        before = len(running.get(f"{SCENARIOS}/{parent['scenario_id']}").json()["versions"])
        for body, headers, path in (
            ({"budget": {"total": -5}}, MERGE, "budget.total"),
            ({"rules": {"locks": [{"intervention": "nope", "neighbourhood": "BU05991571",
                                   "fund": True}]}}, MERGE, "rules.locks[0].intervention"),
            ([{"op": "replace", "path": "/horizon_years", "value": "three"}], JSON_PATCH,
             "horizon_years"),
            ([{"op": "remove", "path": "/no_such_field"}], JSON_PATCH, "[0].path"),
            ([{"op": "jump", "path": "/budget"}], JSON_PATCH, "[0].path"),
        ):
            response = running.post(f"{RUNS}/{parent['id']}/whatif", json=body,
                                    headers=headers)
            assert response.status_code == 422, (body, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert path in [e["path"] for e in response.json()["errors"]], response.json()
        after = len(running.get(f"{SCENARIOS}/{parent['scenario_id']}").json()["versions"])
        assert after == before  # nothing half-written

    def test_another_media_type_is_a_415(self, running: TestClient,
                                         parent: dict[str, Any]) -> None:
        response = running.post(f"{RUNS}/{parent['id']}/whatif", content=b"budget=1",
                                headers={"Content-Type": "text/plain"})
        assert response.status_code == 415
        assert response.headers["content-type"].startswith("application/problem+json")

    def test_another_organisations_run_is_a_404(
        self, running: TestClient, parent: dict[str, Any], tenant_b: Tenant
    ) -> None:
        response = running.post(f"{RUNS}/{parent['id']}/whatif", json={"name": "x"},
                                headers={**MERGE, **tenant_b.headers()})
        assert response.status_code == 404
