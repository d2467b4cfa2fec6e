"""Published multidimensional-knapsack optima (OR-Library `mknap1`, see
`tests/data/mknap/README.md`), solved as scenarios through the API with both solvers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import post_document

MKNAP1 = Path(__file__).resolve().parents[2] / "data" / "mknap" / "mknap1.txt"


@dataclass(frozen=True)
class Knapsack:
    profits: list[float]
    weights: list[list[float]]  # one row per constraint
    capacities: list[float]
    optimum: float


def read_mknap(path: Path) -> list[Knapsack]:
    tokens = iter(float(token) for token in path.read_text().split())

    def take(count: int) -> list[float]:
        return [next(tokens) for _ in range(count)]

    instances = []
    for _ in range(int(next(tokens))):
        n, m, optimum = int(next(tokens)), int(next(tokens)), next(tokens)
        profits = take(n)
        weights = [take(n) for _ in range(m)]
        instances.append(Knapsack(profits, weights, take(m), optimum))
    assert next(tokens, None) is None, "trailing numbers in mknap1.txt"
    return instances


def knapsack_scenario(k: Knapsack, solver: str) -> dict[str, Any]:
    """The README's mapping: item j is an intervention worth p_j, constraint 0 the budget,
    constraints 1..m-1 resources `r1`..."""
    resources = [f"r{i}" for i in range(1, len(k.weights))]
    return {
        "name": "mknap1",
        "start_year": 2027,
        "horizon_years": 1,
        "domains": [{"key": "value", "weight": 1}],
        "neighbourhoods": [{"code": "N", "homes": 1,
                            "scores": {"value": {"score": 0, "target": 10 * sum(k.profits)}}}],
        "interventions": [
            {"key": f"item{j}", "domain": "value", "effects": {"value": profit},
             "cost": {"fixed": k.weights[0][j]},
             "uses": {r: k.weights[i][j] for i, r in enumerate(resources, start=1)},
             "max_per_neighbourhood": 1}
            for j, profit in enumerate(k.profits)
        ],
        "budget": {"total": k.capacities[0], "per_year": [k.capacities[0]]},
        "resources": {r: {"per_year": [k.capacities[i]]} for i, r in enumerate(resources, start=1)},
        "objective": {"equity": "linear", "cap_at_target": False},
        "solver": {"name": solver, "mip_gap": 0, "time_limit_s": 60},
    }


INSTANCES = read_mknap(MKNAP1)


def test_the_file_holds_seven_instances() -> None:
    assert [k.optimum for k in INSTANCES] == [3800, 8706.1, 4015, 6120, 12400, 10618, 16537]


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("number", range(1, len(INSTANCES) + 1))
def test_reaches_the_published_optimum(api_client: TestClient, number: int, solver: str) -> None:
    knapsack = INSTANCES[number - 1]

    response = post_document(api_client, knapsack_scenario(knapsack, solver))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "optimal"
    assert body["objective"] == pytest.approx(knapsack.optimum, rel=1e-6)
