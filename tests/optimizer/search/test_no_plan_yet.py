"""When the stages before the full MIP end without a plan worth anything, the full MIP runs in
the time that is left, however little the rule for its start asks for: leaving then answers
"no plan" with most of the time unused.

The scenarios come from the second generator with a fifth of its budget and the physical
domain's budget at €1,000: its neighbourhood share (3 / neighbourhoods) then asks for dozens of
neighbourhoods at once, which neither the greedy nor the plan searches manage. The tuning asks
the full MIP for a million relaxations' time, so that only the rule for a missing plan can start
it (a tuning passed in: nothing patched).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from app.optimizer import RunLimits, solve
from app.optimizer.backends.highs_options import quiet_highs
from app.optimizer.model.arrays import load
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.optimizer.tuning import TUNING
from app.schemas.scenario import parse_scenario
from benchmarks.gen_corporation import scenario as corporation_scenario
from benchmarks.gen_mutated import mutated_scenario
from tests.reference.evaluate import plan_value, plan_violations

NEVER_TIME_ENOUGH = RunLimits(
    explain=False, tuning=dataclasses.replace(TUNING, mip_relaxations=1e6)
)


def starved_corporation(neighbourhoods: int, years: int, seed: int, limit: float) -> dict[str, Any]:
    doc = corporation_scenario(neighbourhoods, 20, years, seed)
    doc["budget"]["total"] *= 0.2
    doc["budget"]["per_year"] = [amount * 0.2 for amount in doc["budget"]["per_year"]]
    doc["rules"]["domain_budget"] = {"physical_environment": {"total": 1000.0}}
    doc["solver"] = {"name": "highs", "mip_gap": 0.001, "time_limit_s": limit}
    return doc


def test_a_plan_only_the_full_mip_finds_is_found() -> None:
    """Without the Lagrangian bound (whose master plan finds one here since its prices no
    longer stop at rounding), the relaxation, the greedy and the guided MIP find no plan."""
    doc = starved_corporation(120, 8, seed=12, limit=5.0)
    without_bound = dataclasses.replace(NEVER_TIME_ENOUGH.tuning, use_lagrangian_bound=False)
    rec = solve(parse_scenario(doc), dataclasses.replace(NEVER_TIME_ENOUGH, tuning=without_bound))
    before = {stage.name: stage.objective for stage in rec.solver.stages}
    assert not before.get("guided MIP"), before  # the stages left nothing worth a plan
    assert rec.status in ("optimal", "feasible"), rec.message
    start = doc["start_year"]
    plan = [(a.intervention, a.neighbourhood, a.start_year - start) for a in rec.allocations]
    assert plan_violations(doc, plan) == []
    assert rec.objective is not None
    assert rec.objective > 0
    assert abs(rec.objective - plan_value(doc, plan)) <= 1e-6 * rec.objective


def test_an_empty_optimum_is_proven_rather_than_reported_as_no_plan() -> None:
    """Here nothing can be funded at all: HiGHS alone, given the whole model, proves 0."""
    doc = starved_corporation(30, 5, seed=2, limit=5.0)
    scenario = parse_scenario(doc)
    rec = solve(scenario, NEVER_TIME_ENOUGH)
    whole = quiet_highs()
    load(whole, build_model(compile_instance(scenario)).arrays)
    whole.setOptionValue("time_limit", 30.0)
    whole.run()
    assert whole.getModelStatus() == whole.getModelStatus().kOptimal
    assert abs(whole.getInfo().objective_function_value) <= 1e-9
    assert rec.status == "optimal", rec.message
    assert rec.objective == 0.0
    assert rec.allocations == []


@pytest.mark.parametrize("seed", [4, 18])
def test_an_empty_optimum_ends_the_search_once_the_bound_reaches_it(seed: int) -> None:
    """Once a plan worth 0 meets a bound of 0 (a relative gap says nothing there), no plan
    search follows."""
    doc, _ = mutated_scenario(seed)
    doc["solver"] = {"name": "highs", "mip_gap": 0.001, "time_limit_s": 10.0}
    scenario = parse_scenario(doc)
    whole = quiet_highs()
    load(whole, build_model(compile_instance(scenario)).arrays)
    whole.run()
    assert whole.getModelStatus() == whole.getModelStatus().kOptimal
    assert abs(whole.getInfo().objective_function_value) <= 1e-9
    rec = solve(scenario, RunLimits(explain=False))
    assert rec.status == "optimal", rec.message
    assert rec.objective == 0.0
    stages = rec.solver.stages
    met = next(
        k
        for k, stage in enumerate(stages)
        if stage.objective is not None
        and stage.bound is not None
        and abs(stage.bound - stage.objective) <= 1e-9
    )
    after = [stage.name for stage in stages[met + 1 :]]
    assert not set(after) & {"master plan", "guided MIP", "exchanges", "full MIP"}, after
