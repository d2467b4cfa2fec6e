"""Scenarios neither generator makes alone (`benchmarks.gen_mutated`): every answer is a plan
that keeps every rule and is worth what the independent reference evaluator says, an explicit
"no plan", or a diagnosis of an infeasible scenario, with the explanation on, as the API runs it.

The seeds are the small shapes among the first forty (up to 60 neighbourhoods), so that each
solves in a few seconds; together they take buurt shares that ask for more buurten than the
budget pays, locks nobody can pay, shares nobody serves, unlimited runs per pair and horizons of
one to eight years.
"""

from __future__ import annotations

import pytest

from app.optimizer import RunLimits, solve
from app.schemas.scenario import parse_scenario
from benchmarks.gen_mutated import mutated_scenario
from tests.reference.evaluate import plan_value, plan_violations

SMALL_SEEDS = (1, 2, 4, 7, 8, 14, 15, 18, 21, 22, 28, 31, 32, 36, 39)


@pytest.mark.parametrize("seed", range(1, 41))
def test_every_mutated_scenario_is_a_valid_document(seed: int) -> None:
    doc, _ = mutated_scenario(seed)
    parse_scenario(doc)


@pytest.mark.parametrize("seed", SMALL_SEEDS)
def test_the_answer_keeps_every_rule_or_says_why_there_is_none(seed: int) -> None:
    doc, name = mutated_scenario(seed)
    assert len(doc["neighbourhoods"]) <= 60, name
    doc["solver"] = {"name": "highs", "mip_gap": 0.001, "time_limit_s": 3.0}
    rec = solve(parse_scenario(doc), RunLimits())
    if rec.status == "infeasible":
        assert rec.diagnosis is not None, name
        assert rec.allocations == []
        return
    if rec.status == "error":
        assert rec.message.startswith("no plan: "), (name, rec.message)
        assert rec.allocations == []
        return
    assert rec.status in ("optimal", "feasible"), (name, rec.status, rec.message)
    start = doc["start_year"]
    plan = [(a.intervention, a.neighbourhood, a.start_year - start) for a in rec.allocations]
    assert plan_violations(doc, plan) == [], name
    assert rec.objective is not None
    assert rec.objective == pytest.approx(plan_value(doc, plan), rel=1e-6, abs=1e-6), name
    if rec.gap is not None:
        assert rec.bound is not None
        assert rec.objective > 0
        assert rec.gap == pytest.approx((rec.bound - rec.objective) / rec.objective, abs=1e-6)
