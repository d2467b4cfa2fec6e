"""Small helpers for API tests: edit a scenario document by JSON path, post it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

DESIGN_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "design_example.json"
SOLVE = "/api/v1/solve"
PROBLEM_JSON = "application/problem+json"
PROBLEMS = "https://onderbouwd.nl/problems/"

DELETE = object()  # as an edit value: remove the key

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _TOKEN.findall(path)]


def edit(document: dict[str, Any], path: str, value: Any) -> None:
    """Set (or with DELETE remove) the field at `path`, e.g. `interventions[0].cost.fixed`;
    missing objects on the way are created."""
    *parents, last = _steps(path)
    target: Any = document
    for step in parents:
        target = target.setdefault(step, {}) if isinstance(target, dict) else target[step]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value


def post_document(client: TestClient, document: Any) -> Response:
    """Post as JSON text; NaN and Infinity are written the way Python's json writes them."""
    return client.post(SOLVE, content=json.dumps(document),
                       headers={"content-type": "application/json"})


def assert_problem(response: Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["type"] == (PROBLEMS + kind if kind != "about:blank" else kind)
    assert problem["title"]
    assert problem["detail"]
    assert problem["instance"] == SOLVE
    return problem
