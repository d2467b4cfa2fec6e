"""The reference evaluator against DESIGN §3's example."""

from __future__ import annotations

import pytest

from tests.reference.design_example import CARNISSE, DESIGN_EXAMPLE, TARWEWIJK
from tests.reference.evaluate import (
    brute_force,
    candidates,
    plan_value,
    plan_violations,
    run_costs,
    run_payments,
)


def test_design_example_candidates() -> None:
    # Caretaker lasts the whole horizon: only s = 0. Coach lasts 2 years: s = 0 or 1, and both
    # buurten clear the 0.1 social-cohesion gap at t = 0 (0.13 and 0.17).
    assert candidates(DESIGN_EXAMPLE) == [
        ("caretaker", TARWEWIJK, 0),
        ("caretaker", CARNISSE, 0),
        ("neighbourhood_coach", TARWEWIJK, 0),
        ("neighbourhood_coach", TARWEWIJK, 1),
        ("neighbourhood_coach", CARNISSE, 0),
        ("neighbourhood_coach", CARNISSE, 1),
    ]


def test_design_example_value_and_optimum() -> None:
    plan = [
        ("caretaker", TARWEWIJK, 0),
        ("caretaker", CARNISSE, 0),
        ("neighbourhood_coach", CARNISSE, 0),
    ]
    assert plan_violations(DESIGN_EXAMPLE, plan) == []
    assert plan_value(DESIGN_EXAMPLE, plan) == pytest.approx(10737.17, abs=0.005)
    best, best_plan = brute_force(DESIGN_EXAMPLE)
    assert best == pytest.approx(10737.17, abs=0.005)
    assert sorted(best_plan) == sorted(plan)


def test_design_example_alternatives_are_worse_or_infeasible() -> None:
    base = [("caretaker", TARWEWIJK, 0), ("caretaker", CARNISSE, 0)]
    # The coach starting a year later is feasible but worth less.
    later = [*base, ("neighbourhood_coach", CARNISSE, 1)]
    assert plan_violations(DESIGN_EXAMPLE, later) == []
    assert plan_value(DESIGN_EXAMPLE, later) < 10737.17
    # The coach in Tarwewijk as well breaks the area budget (372,500 + 81,000 > 450,000).
    both = [*base, ("neighbourhood_coach", CARNISSE, 0), ("neighbourhood_coach", TARWEWIJK, 0)]
    assert any("area_budget" in v for v in plan_violations(DESIGN_EXAMPLE, both))
    # Without the locked caretaker the plan is infeasible.
    assert any("lock" in v for v in plan_violations(DESIGN_EXAMPLE, base[1:]))
    # Without the coach all spend is on nuisance_safety, above its 0.8 share.
    assert any("domain_share" in v for v in plan_violations(DESIGN_EXAMPLE, base))


def test_design_example_costs_and_payments() -> None:
    ivs = {iv["key"]: iv for iv in DESIGN_EXAMPLE["interventions"]}
    nbs = {nb["code"]: nb for nb in DESIGN_EXAMPLE["neighbourhoods"]}
    coach = run_costs(DESIGN_EXAMPLE, ivs["neighbourhood_coach"], nbs[CARNISSE], 0)
    assert coach == [30000 + 2.5 * 5000, 25000 + 2.5 * 5000]
    corp, partners = run_payments(DESIGN_EXAMPLE, ivs["caretaker"], nbs[TARWEWIJK], 0)
    assert corp == [48750.0] * 3
    assert partners == {"municipality": [16250.0] * 3}
