"""The catalogue: idempotent upserts by external id, pages and filters, measurements, staff
adjustments with their rationale, scores, and scenarios assembled from it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.stored import SCENARIOS
from tests.conftest import ClientFactory

V1 = "/api/v1"


@pytest.fixture
def planner(client_factory: ClientFactory) -> TestClient:
    return client_factory(role="planner")


def _audit(client: TestClient, entity_type: str, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"{V1}/audit", params={
        "entity_type": entity_type, "entity_key": key}).json()["items"]
    return items


def _seed(client: TestClient) -> None:
    """The hand-calculated example of tests/services/test_normalisation.py, over HTTP."""
    puts = [
        ("/domains/safety", {"label": "Veiligheid", "target": 0.5}),
        ("/indicators/nuisance", {"domain": "safety", "direction": "higher_is_worse"}),
        ("/indicators/lbm_onv", {"domain": "safety", "direction": "higher_is_better",
                                 "reference_value": 0, "reference_spread": 0.1}),
        ("/neighbourhoods/N1", {"homes": 1000, "district": "West", "indicator_values": [
            {"indicator": "nuisance", "year": 2022, "value": 10},
            {"indicator": "nuisance", "year": 2024, "value": 6},
            {"indicator": "lbm_onv", "year": 2024, "value": -0.05}]}),
        ("/neighbourhoods/N2", {"homes": 800, "district": "Oost", "indicator_values": [
            {"indicator": "nuisance", "year": 2022, "value": 8},
            {"indicator": "nuisance", "year": 2024, "value": 4}]}),
        ("/neighbourhoods/N3", {"homes": 500, "district": "West", "indicator_values": [
            {"indicator": "nuisance", "year": 2024, "value": 2}]}),
        ("/neighbourhoods/N2/adjustments/safety",
         {"delta": 0.3, "rationale": "New residents' association since 2025"}),
        ("/interventions/caretaker", {"name": "Buurtbeheerder", "domain": "safety",
                                      "effects": {"safety": 0.4}, "cost": {"fixed": 50000},
                                      "evidence_level": "promising"}),
    ]
    for path, body in puts:
        response = client.put(V1 + path, json=body)
        assert response.status_code == 201, (path, response.text)


class TestUpserts:
    def test_the_same_body_twice_is_one_state_and_one_audit_entry(
        self, planner: TestClient
    ) -> None:
        body = {"label": "Overlast en onveiligheid", "weight": 1.0}
        first = planner.put(f"{V1}/domains/nuisance_safety", json=body)
        again = planner.put(f"{V1}/domains/nuisance_safety", json=body)

        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        assert len(_audit(planner, "domain", "nuisance_safety")) == 1

    def test_a_change_is_recorded_with_what_changed(self, planner: TestClient) -> None:
        planner.put(f"{V1}/partners/gemeente", json={"budget": {"total": 1000}})
        changed = planner.put(f"{V1}/partners/gemeente", json={"budget": {"total": 2000}})

        assert changed.json()["budget"]["total"] == 2000
        entries = _audit(planner, "partner", "gemeente")
        assert [e["action"] for e in entries] == ["partner.create", "partner.update"]
        assert entries[1]["changes"]["budget"][1]["total"] == 2000
        assert entries[1]["actor"].endswith("(test planner)")

    def test_an_intervention_is_checked_like_the_contract(self, planner: TestClient) -> None:
        response = planner.put(f"{V1}/interventions/x", json={"domain": "d", "costs": {}})
        assert response.status_code == 422
        assert [e["path"] for e in response.json()["errors"]] == ["costs"]
        mismatch = planner.put(f"{V1}/interventions/x", json={"key": "y", "domain": "d"})
        assert mismatch.status_code == 422
        assert mismatch.json()["errors"][0]["path"] == "key"

    def test_measurements_are_replaced_when_given_and_kept_when_not(
        self, planner: TestClient
    ) -> None:
        _seed(planner)
        kept = planner.put(f"{V1}/neighbourhoods/N3", json={"homes": 600, "district": "West"})
        assert [v["value"] for v in kept.json()["indicator_values"]] == [2]
        replaced = planner.put(f"{V1}/neighbourhoods/N3", json={
            "homes": 600, "district": "West",
            "indicator_values": [{"indicator": "nuisance", "year": 2024, "value": 3}]})
        assert replaced.json()["indicator_values"] == [
            {"indicator": "nuisance", "year": 2024, "value": 3.0}]
        actions = [e["action"] for e in _audit(planner, "neighbourhood", "N3")]
        assert actions == ["neighbourhood.create", "neighbourhood.values",
                           "neighbourhood.update", "neighbourhood.values"]


class TestAdjustments:
    def test_the_rationale_is_kept_and_logged(self, planner: TestClient) -> None:
        _seed(planner)
        neighbourhood = planner.get(f"{V1}/neighbourhoods/N2").json()
        [adjustment] = neighbourhood["adjustments"]
        assert (adjustment["domain"], adjustment["delta"]) == ("safety", 0.3)
        [entry] = _audit(planner, "neighbourhood", "N2/safety")
        assert entry["rationale"] == "New residents' association since 2025"

    def test_delete(self, planner: TestClient) -> None:
        _seed(planner)
        url = f"{V1}/neighbourhoods/N2/adjustments/safety"
        assert planner.delete(url).status_code == 204
        assert planner.delete(url).status_code == 404
        assert planner.get(f"{V1}/neighbourhoods/N2").json()["adjustments"] == []

    def test_a_rationale_is_required(self, planner: TestClient) -> None:
        _seed(planner)
        response = planner.put(f"{V1}/neighbourhoods/N1/adjustments/safety",
                               json={"delta": 0.1})
        assert response.status_code == 422


class TestLists:
    def test_pages_by_code_with_a_filter(self, planner: TestClient) -> None:
        for code in ["BU07", "BU03", "BU05", "BU01", "BU02", "BU06", "BU04"]:
            district = "West" if int(code[-1]) % 2 else "Oost"
            planner.put(f"{V1}/neighbourhoods/{code}", json={"homes": 1, "district": district})

        seen, cursor = [], None
        while True:
            params: dict[str, Any] = {"limit": 2, "district": "West"}
            if cursor:
                params["cursor"] = cursor
            page = planner.get(f"{V1}/neighbourhoods", params=params).json()
            seen += [n["code"] for n in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ["BU01", "BU03", "BU05", "BU07"]

    def test_interventions_by_domain_and_evidence(self, planner: TestClient) -> None:
        _seed(planner)
        planner.put(f"{V1}/interventions/coach", json={"domain": "cohesion"})
        by_domain = planner.get(f"{V1}/interventions", params={"domain": "safety"}).json()
        assert [i["key"] for i in by_domain["items"]] == ["caretaker"]
        promising = planner.get(f"{V1}/interventions",
                                params={"evidence_level": "promising"}).json()
        assert [i["key"] for i in promising["items"]] == ["caretaker"]


class TestScores:
    def test_scores_equal_the_hand_calculation(self, planner: TestClient) -> None:
        _seed(planner)
        n1 = planner.get(f"{V1}/neighbourhoods/N1/scores").json()["scores"]["safety"]
        n2 = planner.get(f"{V1}/neighbourhoods/N2/scores").json()["scores"]["safety"]
        assert n1["score"] == pytest.approx(-0.8623724357, abs=1e-6)
        assert n1["trend"] == pytest.approx(1.4059310892, abs=1e-6)
        assert (n1["target"], n1["score_year"]) == (0.5, 2024)
        assert n2["score"] == pytest.approx(0.3, abs=1e-6)


class TestAssembledScenario:
    SELECTION: dict[str, Any] = {"start_year": 2025, "horizon_years": 2,
                                 "budget": {"total": 100000}}

    def test_the_document_carries_the_catalogue_and_its_scores(
        self, planner: TestClient
    ) -> None:
        _seed(planner)
        response = planner.post(SCENARIOS, json={"name": "Veilig 2025",
                                                 "catalogue": self.SELECTION})
        assert response.status_code == 201, response.text
        created = response.json()
        version = planner.get(f"{SCENARIOS}/{created['id']}/versions/1").json()
        document = version["document"]

        assert created["name"] == "Veilig 2025"
        assert version["source"] == "catalogue"
        assert version["selection"]["budget"]["total"] == 100000
        assert [n["code"] for n in document["neighbourhoods"]] == ["N1", "N2", "N3"]
        assert document["domains"] == [{"key": "safety", "label": "Veiligheid", "weight": 1.0}]
        n1 = document["neighbourhoods"][0]["scores"]["safety"]
        assert n1["score"] == pytest.approx(-0.8623724357, abs=1e-6)
        assert [i["key"] for i in document["interventions"]] == ["caretaker"]
        solved = planner.post("/api/v1/solve", json=document)
        assert solved.json()["status"] == "optimal"

    def test_a_chosen_code_not_in_the_catalogue_is_named(self, planner: TestClient) -> None:
        _seed(planner)
        response = planner.post(SCENARIOS, json={"catalogue": {
            **self.SELECTION, "neighbourhoods": ["N1", "BU99"]}})
        assert response.status_code == 422
        assert response.json()["errors"] == [{"path": "catalogue.neighbourhoods[1]",
                                              "message": "no neighbourhood 'BU99' in the "
                                                         "catalogue"}]

    def test_an_inconsistent_catalogue_is_a_422_naming_the_document_path(
        self, planner: TestClient
    ) -> None:
        _seed(planner)
        planner.put(f"{V1}/interventions/coach", json={"domain": "cohesion"})
        response = planner.post(SCENARIOS, json={"catalogue": self.SELECTION})
        assert response.status_code == 422
        messages = [e["message"] for e in response.json()["errors"]]
        assert any("interventions[1].domain" in m for m in messages), messages
