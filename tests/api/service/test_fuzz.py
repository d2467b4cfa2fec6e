"""No input a client can send makes the server fail: every answer is 200 or a 4xx problem."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.helpers import DESIGN_EXAMPLE, PROBLEM_JSON, SOLVE
from tests.conftest import ClientFactory

ANSWERS = {200, 400, 413, 422}
# The client fixture is made once per test and shared by its examples, as intended.
FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture
def client(client_factory: ClientFactory) -> TestClient:
    """A viewer's client. Small solver limits: a mutated document may ask for anything, the
    server caps it."""
    return client_factory(max_time_limit_s=1.0, max_body_bytes=1 << 20)


design = json.loads(DESIGN_EXAMPLE.read_text(encoding="utf-8"))

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
                | st.sampled_from([0, -1, 1, 2027, 1e308, -1e308, 1e-308, 10**30, "", "BU05991571",
                                   "caretaker", "municipality", "staff_fte", "nuisance_safety"]))
# Numbers that keep most fields valid, so that many mutations reach the optimizer.
numbers = (st.floats(min_value=0, max_value=1e308, allow_nan=False)
           | st.integers(0, 10**6)
           | st.sampled_from([0, 0.5, 1, 2, 3, 2027, 2029, 1e-300, 1e15, 1e300, 1.7e308]))
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def _locations(node: Any, trail: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [trail] if trail else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _locations(value, (*trail, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _locations(value, (*trail, index))
    return found


LOCATIONS = _locations(design)


@st.composite
def mutated_designs(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(design)
    for _ in range(draw(st.integers(1, 3))):
        location = draw(st.sampled_from(LOCATIONS))
        parent: Any = document
        try:
            for step in location[:-1]:
                parent = parent[step]
            key = location[-1]
            parent[key]  # still there after earlier mutations?
        except (KeyError, IndexError, TypeError):
            continue
        action = draw(st.sampled_from(["number", "number", "replace", "delete", "add"]))
        if action == "number" and isinstance(parent[key], int | float) \
                and not isinstance(parent[key], bool):
            parent[key] = draw(numbers)
        elif action in ("replace", "number"):
            parent[key] = draw(json_values)
        elif action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "delete":
            parent.pop(key)
        elif isinstance(parent[key], dict):
            parent[key][draw(st.text(min_size=1, max_size=10))] = draw(json_values)
        elif isinstance(parent[key], list):
            parent[key].append(draw(json_values))
    return document


def _assert_answered(response: Any) -> None:
    assert response.status_code in ANSWERS, response.text
    if response.status_code != 200:
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["status"] == response.status_code


@FUZZ
@given(document=mutated_designs())
def test_mutations_of_the_design_example(client: TestClient, document: Any) -> None:
    _assert_answered(client.post(SOLVE, content=json.dumps(document),
                                 headers={"content-type": "application/json"}))


@FUZZ
@given(document=json_values)
def test_arbitrary_json(client: TestClient, document: Any) -> None:
    _assert_answered(client.post(SOLVE, content=json.dumps(document),
                                 headers={"content-type": "application/json"}))


@FUZZ
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes(client: TestClient, body: bytes) -> None:
    _assert_answered(client.post(SOLVE, content=body,
                                 headers={"content-type": "application/json"}))

