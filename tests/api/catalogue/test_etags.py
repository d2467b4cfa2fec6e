"""Optimistic concurrency: catalogue entities, units and scenarios answer an `ETag`; a `PUT`
whose `If-Match` names another tag is a 412 problem document and changes nothing; one that
names the current tag writes and answers the new tag."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.stored import store
from tests.conftest import ClientFactory

V1 = "/api/v1"


@dataclass(frozen=True)
class Writable:
    path: str
    create: dict[str, Any]
    change: dict[str, Any]
    changed: Callable[[dict[str, Any]], Any]  # what the change shows in the representation


ENTITIES = [
    Writable("/domains/safety", {"label": "Veiligheid"}, {"label": "Veilig wonen"},
             lambda body: body["label"]),
    Writable("/indicators/arrears", {"direction": "higher_is_worse"},
             {"direction": "higher_is_worse", "unit": "%"}, lambda body: body["unit"]),
    Writable("/interventions/caretaker", {"domain": "safety", "effects": {"safety": 0.1}},
             {"domain": "safety", "effects": {"safety": 0.2}},
             lambda body: body["effects"]["safety"]),
    Writable("/partners/gemeente", {"budget": {"total": 1000}}, {"budget": {"total": 2000}},
             lambda body: body["budget"]["total"]),
    Writable("/neighbourhoods/BU00000001", {"homes": 100}, {"homes": 120},
             lambda body: body["homes"]),
    Writable("/units/100231", {"neighbourhood": "BU00000001", "regulated": True},
             {"neighbourhood": "BU00000001", "regulated": False},
             lambda body: body["regulated"]),
]


@pytest.fixture
def planner(client_factory: ClientFactory) -> TestClient:
    return client_factory(role="planner")


def _create(client: TestClient, entity: Writable) -> str:
    if entity.path.startswith("/units/"):
        assert client.put(f"{V1}/neighbourhoods/BU00000001", json={"homes": 100}
                          ).status_code == 201
    created = client.put(V1 + entity.path, json=entity.create)
    assert created.status_code == 201, created.text
    read = client.get(V1 + entity.path)
    assert read.headers["ETag"] == created.headers["ETag"]
    tag: str = read.headers["ETag"]
    return tag


def _assert_412(response: Any, path: str) -> None:
    assert response.status_code == 412, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 412
    assert problem["instance"] == path
    assert problem["detail"]


@pytest.mark.parametrize("entity", ENTITIES, ids=[e.path.split("/")[1] for e in ENTITIES])
class TestCatalogueEntities:
    def test_a_stale_if_match_is_a_412_and_changes_nothing(
        self, planner: TestClient, entity: Writable
    ) -> None:
        tag = _create(planner, entity)
        # Another integration changes it in between.
        other = planner.put(V1 + entity.path, json=entity.change, headers={"If-Match": tag})
        assert other.status_code == 200, other.text
        after_other = planner.get(V1 + entity.path).json()

        stale = planner.put(V1 + entity.path, json=entity.create, headers={"If-Match": tag})

        _assert_412(stale, V1 + entity.path)
        assert planner.get(V1 + entity.path).json() == after_other

    def test_a_matching_if_match_writes_and_answers_the_new_tag(
        self, planner: TestClient, entity: Writable
    ) -> None:
        tag = _create(planner, entity)

        response = planner.put(V1 + entity.path, json=entity.change, headers={"If-Match": tag})

        assert response.status_code == 200, response.text
        assert entity.changed(response.json()) == entity.changed(entity.change)
        new_tag = response.headers["ETag"]
        assert new_tag != tag
        read = planner.get(V1 + entity.path)
        assert read.headers["ETag"] == new_tag
        assert entity.changed(read.json()) == entity.changed(entity.change)

    def test_a_weak_or_made_up_tag_never_matches(self, planner: TestClient,
                                                 entity: Writable) -> None:
        tag = _create(planner, entity)
        for sent in (f"W/{tag}", '"0123456789abcdef0123456789abcdef"', tag.strip('"')):
            response = planner.put(V1 + entity.path, json=entity.change,
                                   headers={"If-Match": sent})
            _assert_412(response, V1 + entity.path)
        assert planner.get(V1 + entity.path).headers["ETag"] == tag

    def test_if_match_on_what_does_not_exist_is_a_412(self, planner: TestClient,
                                                      entity: Writable) -> None:
        if entity.path.startswith("/units/"):
            assert planner.put(f"{V1}/neighbourhoods/BU00000001", json={"homes": 100}
                               ).status_code == 201
        response = planner.put(V1 + entity.path, json=entity.create, headers={"If-Match": "*"})
        _assert_412(response, V1 + entity.path)
        assert planner.get(V1 + entity.path).status_code == 404


class TestScenarios:
    def test_a_stale_if_match_is_a_412_and_makes_no_version(
        self, planner: TestClient, design_example: dict[str, Any]
    ) -> None:
        scenario = store(planner, design_example)
        path = f"{V1}/scenarios/{scenario['id']}"
        tag = planner.get(path).headers["ETag"]
        design_example["budget"]["total"] += 1000
        assert planner.put(path, json={"document": design_example}, headers={"If-Match": tag}
                           ).status_code == 200
        versions = planner.get(path).json()["versions"]

        design_example["budget"]["total"] += 1000
        stale = planner.put(path, json={"document": design_example}, headers={"If-Match": tag})

        _assert_412(stale, path)
        assert planner.get(path).json()["versions"] == versions
        assert len(versions) == 2

    def test_a_matching_if_match_makes_a_version_and_answers_the_new_tag(
        self, planner: TestClient, design_example: dict[str, Any]
    ) -> None:
        created = planner.post(f"{V1}/scenarios", json={"document": design_example})
        path = f"{V1}/scenarios/{created.json()['id']}"
        tag = created.headers["ETag"]
        assert planner.get(path).headers["ETag"] == tag
        design_example["budget"]["total"] += 1000

        response = planner.put(path, json={"document": design_example},
                               headers={"If-Match": tag})

        assert response.status_code == 200, response.text
        assert [v["number"] for v in response.json()["versions"]] == [1, 2]
        assert response.headers["ETag"] != tag
        assert planner.get(path).headers["ETag"] == response.headers["ETag"]
        version = planner.get(f"{path}/versions/2").json()
        assert version["document"]["budget"]["total"] == design_example["budget"]["total"]
