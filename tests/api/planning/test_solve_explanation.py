"""The explanation and the diagnosis through `POST /api/v1/solve`, and `?explain=false`."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import SOLVE, edit


def _post(client: TestClient, document: dict[str, Any], query: str = "") -> dict[str, Any]:
    response = client.post(SOLVE + query, content=json.dumps(document),
                           headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_the_explanation_comes_with_the_plan(api_client: TestClient,
                                            design_example: dict[str, Any]) -> None:
    answer = _post(api_client, design_example)
    explanation = answer["explanation"]
    assert explanation["binding"][0]["rule"] == "area_budget:0"
    assert {row["reason"] for row in explanation["candidates"]} == {"outcompeted"}
    assert all(e["estimate"] for e in explanation["marginal_estimate"])
    assert answer["solver"]["timings"]["explain_s"] > 0
    assert answer["diagnosis"] is None


def test_explain_false_answers_the_plan_only(api_client: TestClient,
                                            design_example: dict[str, Any]) -> None:
    plain = _post(api_client, design_example, "?explain=false")
    assert plain["explanation"] is None
    assert plain["objective"] == _post(api_client, design_example)["objective"]


def test_explain_full_re_solves_every_pair_and_the_default_offers_it(
        api_client: TestClient, design_example: dict[str, Any]) -> None:
    default = _post(api_client, design_example)["explanation"]
    full = _post(api_client, design_example, "?explain=full")["explanation"]
    assert (default["level"], full["level"]) == ("standard", "full")
    assert default["on_request"]
    assert full["on_request"] == []
    assert all(row["estimate"] for row in default["candidates"])
    assert not any(row["estimate"] for row in full["candidates"])


def test_an_unknown_explain_level_is_a_problem_naming_the_field(
        api_client: TestClient, design_example: dict[str, Any]) -> None:
    response = api_client.post(SOLVE + "?explain=everything", content=json.dumps(design_example),
                               headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "explain" in response.text


def test_an_infeasible_scenario_gets_a_diagnosis(api_client: TestClient,
                                                design_example: dict[str, Any]) -> None:
    edit(design_example, "budget.per_year", [40_000, 200_000, 200_000])
    answer = _post(api_client, design_example)
    assert answer["status"] == "infeasible"
    assert answer["diagnosis"]["changes"][0]["target"] == "lock:0"
    assert "Release the lock" in answer["message"]


def test_named_candidates_are_costed_exactly(api_client: TestClient,
                                            design_example: dict[str, Any]) -> None:
    query = "?explain_candidates=neighbourhood_coach:BU05991571"
    row = _post(api_client, design_example, query)["explanation"]["candidates"][0]
    assert (row["intervention"], row["neighbourhood"]) == ("neighbourhood_coach", "BU05991571")
    assert row["estimate"] is False
    assert row["cost_of_forcing"] > 0
