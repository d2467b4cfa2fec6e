"""A long solve runs off the event loop: the real server keeps answering `/health` meanwhile."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.live_server import serve
from tests.conftest import ClientFactory
from tests.tenants import Tenant

SOLVE_SECONDS = 3  # the scenario below cannot be proven optimal in this time


def slow_scenario(items: int = 250, constraints: int = 5, seed: int = 7) -> dict[str, Any]:
    """A correlated multidimensional knapsack: proving its optimum (`mip_gap: 0`) takes far
    longer than the time limit, so the solve runs for the whole limit."""
    rng = random.Random(seed)
    weights = [[rng.randint(1, 1000) for _ in range(items)] for _ in range(constraints)]
    profits = [sum(row[j] for row in weights) / constraints + rng.randint(0, 500)
               for j in range(items)]
    capacities = [sum(row) // 2 for row in weights]
    resources = [f"r{i}" for i in range(1, constraints)]
    return {
        "start_year": 2027,
        "horizon_years": 1,
        "domains": [{"key": "value"}],
        "neighbourhoods": [{"code": "N", "homes": 1,
                            "scores": {"value": {"score": 0, "target": 1e6}}}],
        "interventions": [
            {"key": f"item{j}", "domain": "value", "effects": {"value": profits[j]},
             "cost": {"fixed": weights[0][j]},
             "uses": {r: weights[i][j] for i, r in enumerate(resources, start=1)}}
            for j in range(items)
        ],
        "budget": {"total": capacities[0]},
        "resources": {r: {"per_year": [capacities[i]]} for i, r in enumerate(resources, start=1)},
        "objective": {"equity": "linear", "cap_at_target": False},
        "solver": {"name": "highs", "mip_gap": 0, "time_limit_s": SOLVE_SECONDS},
    }


@pytest.fixture
def live_server(client_factory: ClientFactory) -> Iterator[str]:
    with serve(client_factory().app) as url:
        yield url


def test_health_answers_while_a_solve_runs(live_server: str, tenant_a: Tenant) -> None:
    solved: dict[str, Any] = {}

    def post_solve() -> None:
        started = time.monotonic()
        response = httpx.post(f"{live_server}/api/v1/solve", json=slow_scenario(), timeout=120,
                              headers=tenant_a.headers("viewer"))
        solved["seconds"] = time.monotonic() - started
        solved["response"] = response

    solver = threading.Thread(target=post_solve)
    solver.start()
    time.sleep(0.3)  # let the solve get going

    answers: list[float] = []
    with httpx.Client(base_url=live_server, timeout=1.0) as client:
        while solver.is_alive():
            started = time.monotonic()
            response = client.get("/health")
            answers.append(time.monotonic() - started)
            assert response.status_code == 200
            assert response.json()["status"] == "ok"
            time.sleep(0.1)
    solver.join()

    assert solved["response"].status_code == 200, solved["response"].text
    assert solved["response"].json()["status"] in ("optimal", "feasible")
    # The test only proves something if the solve really kept the server busy.
    assert solved["seconds"] >= 1.0
    assert len(answers) >= 3
    assert max(answers) < 1.0
