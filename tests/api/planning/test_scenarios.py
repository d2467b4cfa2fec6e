"""Stored scenarios: versions, immutability, pagination, idempotency, no partial writes."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from app.core.db import Database
from tests.api.stored import SCENARIOS, store
from tests.conftest import ClientFactory
from tests.tenants import Tenant


@pytest.fixture
def planner(client_factory: ClientFactory) -> TestClient:
    return client_factory(role="planner")


class TestCreate:
    def test_an_inline_document_is_version_1(self, planner: TestClient,
                                             design_example: dict) -> None:
        response = planner.post(SCENARIOS, json={"document": design_example})

        assert response.status_code == 201, response.text
        body = response.json()
        assert response.headers["location"] == f"{SCENARIOS}/{body['id']}"
        assert body["name"] == "Rotterdam-Zuid 2027-2029"
        assert [v["number"] for v in body["versions"]] == [1]
        assert planner.get(response.headers["location"]).json() == body
        version = planner.get(f"{SCENARIOS}/{body['id']}/versions/1").json()
        assert version["source"] == "inline"
        assert version["document"]["neighbourhoods"][0]["code"] == "BU05991571"
        assert version["document"]["objective"]["equity"] == "prioritarian"  # defaults filled

    def test_cross_reference_errors_name_the_path_in_the_body(
        self, planner: TestClient, design_example: dict
    ) -> None:
        design_example["interventions"][0]["partner_contributions"][0]["partner"] = "police"
        response = planner.post(SCENARIOS, json={"document": design_example})
        problem = response.json()
        assert response.status_code == 422, response.text
        assert "document.interventions[0].partner_contributions[0].partner" in [
            e["path"] for e in problem["errors"]]

    def test_structural_errors_name_the_path_in_the_body(
        self, planner: TestClient, design_example: dict
    ) -> None:
        design_example["budjet"] = {}
        response = planner.post(SCENARIOS, json={"document": design_example})
        assert response.status_code == 422
        assert "document.budjet" in [e["path"] for e in response.json()["errors"]]

    @pytest.mark.parametrize("body", [{}, {"document": None}, {"name": "x"}])
    def test_needs_exactly_one_source(self, planner: TestClient, body: dict) -> None:
        assert planner.post(SCENARIOS, json=body).status_code == 422


class TestVersions:
    def test_an_update_is_a_new_version_and_the_old_one_stays(
        self, planner: TestClient, design_example: dict
    ) -> None:
        created = store(planner, design_example)
        before = planner.get(f"{SCENARIOS}/{created['id']}/versions/1").json()
        changed = copy.deepcopy(design_example)
        changed["budget"]["total"] = 400000

        response = planner.put(f"{SCENARIOS}/{created['id']}", json={"document": changed})

        assert response.status_code == 200, response.text
        assert response.json()["current_version"] == 2
        assert planner.get(f"{SCENARIOS}/{created['id']}/versions/1").json() == before
        second = planner.get(f"{SCENARIOS}/{created['id']}/versions/2").json()
        assert second["document"]["budget"]["total"] == 400000
        assert second["scenario_sha256"] != before["scenario_sha256"]

    def test_the_same_document_again_makes_no_version(
        self, planner: TestClient, design_example: dict
    ) -> None:
        created = store(planner, design_example)
        again = planner.put(f"{SCENARIOS}/{created['id']}", json={"document": design_example})
        assert again.json()["current_version"] == 1

    def test_an_unknown_version_is_404(self, planner: TestClient, design_example: dict) -> None:
        created = store(planner, design_example)
        response = planner.get(f"{SCENARIOS}/{created['id']}/versions/2")
        assert response.status_code == 404
        assert "current one is 1" in response.json()["detail"]


class TestList:
    def test_pages_are_stable_while_rows_are_added(
        self, planner: TestClient, design_example: dict
    ) -> None:
        ids = [store(planner, design_example)["id"] for _ in range(5)]

        first = planner.get(SCENARIOS, params={"limit": 2}).json()
        store(planner, design_example)  # added between pages: comes last, moves nothing
        second = planner.get(SCENARIOS, params={"limit": 2, "cursor": first["next_cursor"]})
        third = planner.get(SCENARIOS, params={"limit": 2,
                                               "cursor": second.json()["next_cursor"]}).json()

        seen = [s["id"] for s in first["items"] + second.json()["items"] + third["items"]]
        assert seen[:5] == ids
        assert len(seen) == len(set(seen)) == 6
        assert third["next_cursor"] is None

    def test_a_cursor_not_given_out_is_422(self, planner: TestClient) -> None:
        response = planner.get(SCENARIOS, params={"cursor": "not-a-cursor"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["path"] == "cursor"


class TestIdempotency:
    def test_the_same_key_and_body_answer_the_same_and_store_nothing_new(
        self, planner: TestClient, design_example: dict
    ) -> None:
        headers = {"Idempotency-Key": "import-2027-01"}
        first = planner.post(SCENARIOS, json={"document": design_example}, headers=headers)
        again = planner.post(SCENARIOS, json={"document": design_example}, headers=headers)

        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again.headers["location"] == first.headers["location"]
        assert len(planner.get(SCENARIOS).json()["items"]) == 1

    def test_the_same_key_with_another_body_is_409(
        self, planner: TestClient, design_example: dict
    ) -> None:
        headers = {"Idempotency-Key": "k"}
        planner.post(SCENARIOS, json={"document": design_example}, headers=headers)
        design_example["budget"]["total"] = 1
        response = planner.post(SCENARIOS, json={"document": design_example}, headers=headers)
        problem = response.json()
        assert response.status_code == 409
        assert problem["type"].endswith("/idempotency-key-reused")
        assert len(planner.get(SCENARIOS).json()["items"]) == 1

    def test_keys_belong_to_one_organisation(
        self, planner: TestClient, design_example: dict, tenant_b: Tenant
    ) -> None:
        headers = {"Idempotency-Key": "shared"}
        ours = planner.post(SCENARIOS, json={"document": design_example}, headers=headers)
        theirs = planner.post(SCENARIOS, json={"document": design_example},
                              headers={**headers, **tenant_b.headers()})
        assert theirs.status_code == 201
        assert theirs.json()["id"] != ours.json()["id"]


class TestNoPartialWrites:
    def test_a_failure_after_the_first_write_leaves_nothing(
        self, client_factory: ClientFactory, design_example: dict, db: Database,
        monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from app.services.planning import scenarios

        def fail(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the disk is full")

        monkeypatch.setattr(scenarios, "_add_version", fail)
        client = client_factory(role="planner", raise_server_exceptions=False)

        response = client.post(SCENARIOS, json={"document": design_example},
                               headers={"Idempotency-Key": "once"})

        assert response.status_code == 500
        with db.engine.connect() as connection:
            for table in ("scenarios", "scenario_versions", "idempotency_keys"):
                count = connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                assert count == 0, table
            audit = connection.exec_driver_sql(
                "SELECT count(*) FROM audit_log WHERE entity_type = 'scenario'").scalar()
            assert audit == 0
