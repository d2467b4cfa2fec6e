"""What a client gets for everything that is not a valid scenario document, and for valid
scenarios the server answers in its own way (no feasible plan, a capped time limit)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import PROBLEM_JSON, SOLVE, assert_problem, edit, post_document
from tests.conftest import ClientFactory


class TestMalformedJson:
    @pytest.mark.parametrize("body", ['{"start_year": }', "{", "[1, 2", "{'a': 1}", "nul",
                                      '{"a": 1} trailing'])
    def test_is_a_400_problem(self, api_client: TestClient, body: str) -> None:
        response = api_client.post(SOLVE, content=body.encode(),
                                   headers={"content-type": "application/json"})
        problem = assert_problem(response, 400, "malformed-json")
        assert problem["title"] == "Malformed JSON"

    def test_names_line_and_column(self, api_client: TestClient) -> None:
        body = '{\n  "name": "x",\n  "start_year": ,\n}'
        response = api_client.post(SOLVE, content=body,
                                   headers={"content-type": "application/json"})
        problem = assert_problem(response, 400, "malformed-json")
        assert (problem["line"], problem["column"]) == (3, 17)
        assert "line 3, column 17" in problem["detail"]

    def test_bytes_that_are_not_text(self, api_client: TestClient) -> None:
        response = api_client.post(SOLVE, content=b"\xff\xfe\x00{",
                                   headers={"content-type": "application/json"})
        assert_problem(response, 400, "malformed-json")

    def test_nesting_too_deep_to_parse(self, api_client: TestClient) -> None:
        response = api_client.post(SOLVE, content="[" * 100_000 + "]" * 100_000,
                                   headers={"content-type": "application/json"})
        assert_problem(response, 400, "malformed-json")

    def test_a_number_too_long_to_read(self, api_client: TestClient) -> None:
        response = api_client.post(SOLVE, content='{"start_year": ' + "9" * 5000 + "}",
                                   headers={"content-type": "application/json"})
        assert_problem(response, 400, "malformed-json")


class TestNotAnObject:
    @pytest.mark.parametrize("document", [[], [1, 2], "scenario", 42, 3.5, True, None])
    def test_is_a_422_problem_on_the_document(self, api_client: TestClient,
                                              document: Any) -> None:
        problem = assert_problem(post_document(api_client, document), 422, "validation")
        assert [e["path"] for e in problem["errors"]] == [""]

    def test_an_empty_body(self, api_client: TestClient) -> None:
        response = api_client.post(SOLVE, headers={"content-type": "application/json"})
        problem = assert_problem(response, 422, "validation")
        assert [e["path"] for e in problem["errors"]] == [""]

    def test_a_body_that_is_not_declared_json(self, api_client: TestClient,
                                              design_example: dict) -> None:
        response = api_client.post(SOLVE, content=json.dumps(design_example),
                                   headers={"content-type": "text/plain"})
        assert_problem(response, 422, "validation")


class TestBodyLimit:
    LIMIT = 1000

    @pytest.fixture
    def client(self, client_factory: ClientFactory) -> TestClient:
        return client_factory(max_body_bytes=self.LIMIT)

    def test_a_declared_length_over_the_limit(self, client: TestClient) -> None:
        response = client.post(SOLVE, content=b" " * (self.LIMIT + 1),
                               headers={"content-type": "application/json"})
        problem = assert_problem(response, 413, "payload-too-large")
        assert f"{self.LIMIT:,}" in problem["detail"]

    def test_a_chunked_body_over_the_limit(self, client: TestClient) -> None:
        def chunks() -> Iterator[bytes]:
            yield b'{"name": "'
            for _ in range(50):
                yield b"x" * 100

        response = client.post(SOLVE, content=chunks(),
                               headers={"content-type": "application/json"})
        assert "content-length" not in response.request.headers
        assert_problem(response, 413, "payload-too-large")

    def test_a_chunked_body_under_the_limit_is_read(self, client: TestClient) -> None:
        def chunks() -> Iterator[bytes]:
            yield b"[1, "
            yield b"2]"

        response = client.post(SOLVE, content=chunks(),
                               headers={"content-type": "application/json"})
        assert_problem(response, 422, "validation")

    def test_the_default_limit_admits_a_scenario(self, api_client: TestClient,
                                                 design_example: dict) -> None:
        assert post_document(api_client, design_example).status_code == 200


class TestHttpErrors:
    def test_unknown_path(self, api_client: TestClient) -> None:
        response = api_client.get("/api/v1/nothing")
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["instance"] == "/api/v1/nothing"

    def test_wrong_method(self, api_client: TestClient) -> None:
        response = api_client.get(SOLVE)
        problem = assert_problem(response, 405, "method-not-allowed")
        assert response.headers["allow"] == "POST"
        assert "GET" in problem["detail"]


class TestValidScenarios:
    def test_a_lock_that_cannot_be_paid_is_infeasible_not_an_error(
        self, api_client: TestClient, design_example: dict
    ) -> None:
        edit(design_example, "budget", {"total": 1000})

        response = post_document(api_client, design_example)

        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.json()["status"] == "infeasible"

    def test_a_time_limit_above_the_maximum_is_capped_and_reported(
        self, design_example: dict, client_factory: ClientFactory
    ) -> None:
        client = client_factory(max_time_limit_s=5)
        edit(design_example, "solver.time_limit_s", 3600)

        response = post_document(client, design_example)

        assert response.status_code == 200, response.text
        solver = response.json()["solver"]
        assert solver["time_limit_capped"] is True
        assert solver["time_limit_s"] == 5

    def test_a_time_limit_within_the_maximum_is_kept(
        self, api_client: TestClient, design_example: dict
    ) -> None:
        response = post_document(api_client, design_example)
        solver = response.json()["solver"]
        assert solver["time_limit_capped"] is False
        assert solver["time_limit_s"] == design_example["solver"]["time_limit_s"]

    def test_the_design_example_reaches_its_proven_optimum(
        self, api_client: TestClient, design_example: dict
    ) -> None:
        edit(design_example, "solver.mip_gap", 0)
        body = post_document(api_client, design_example).json()
        assert body["status"] == "optimal"
        assert body["objective"] == pytest.approx(10737.17, abs=0.01)
        funded = {(a["intervention"], a["neighbourhood"]) for a in body["allocations"]}
        assert funded == {("caretaker", "BU05991571"), ("caretaker", "BU05991488"),
                          ("neighbourhood_coach", "BU05991488")}


def test_health(api_client: TestClient) -> None:
    response = api_client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"]


class TestExtremeNumbers:
    """Numbers no real question has (a score year of 10^30, a cost near the float maximum):
    each is a 422 naming the field, never the server's catch-all."""

    @pytest.fixture
    def client(self, client_factory: ClientFactory) -> TestClient:
        return client_factory(raise_server_exceptions=False)

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            ("neighbourhoods[0].scores.nuisance_safety.score_year", 10**30),
            ("neighbourhoods[0].scores.nuisance_safety.trend", 1e300),
            ("neighbourhoods[0].homes", 1e30),
            ("interventions[0].cost.fixed", 1e308),
            ("interventions[0].uses.staff_fte", 1e308),
            ("interventions[0].effects.nuisance_safety", 1e300),
            ("domains[0].weight", 1e20),
            ("budget.total", 1e300),
        ],
    )
    @pytest.mark.parametrize("solver", ["highs", "cbc"])
    def test_an_absurd_magnitude_is_refused_by_name(self, client: TestClient,
                                                    design_example: dict, path: str,
                                                    value: float, solver: str) -> None:
        edit(design_example, path, value)
        edit(design_example, "solver.name", solver)
        response = post_document(client, design_example)
        assert response.status_code == 422, response.text
        assert path in [e["path"] for e in response.json()["errors"]]
