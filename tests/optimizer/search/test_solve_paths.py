"""Every path of the staged HiGHS solve gives the brute-force optimum, not only the one a
small scenario takes by default.

Small scenarios normally take the Lagrangian bound and the MIP over its neighbourhood plans,
and keep HiGHS's presolve (it is switched off from 200,000 columns). Lowering those thresholds,
or switching the bound off, sends the same small scenarios down the other paths, where
enumeration still says what the optimum is.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings

from app.optimizer import RunLimits, solve
from app.optimizer.backends.outcome import SolveOptions
from app.optimizer.deadline import Deadline
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.optimizer.search import solvers
from app.optimizer.tuning import TUNING
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import parse_scenario
from tests.optimizer.test_brute_force import PROPERTY_SETTINGS, check_against_brute_force
from tests.reference.evaluate import brute_force, plan_value, plan_violations
from tests.strategies import small_scenarios

EXAMPLES = 60
UTRECHT = Path(__file__).resolve().parents[3] / "examples" / "utrecht.json"


def thresholds(guided_from: int, large_from: int, no_mip_from: int = 10**9) -> RunLimits:
    """Limits whose tuning takes the guided MIP, the large-model path and the no-MIP path from
    these sizes on (a tuning passed in: nothing patched)."""
    tuning = dataclasses.replace(
        TUNING,
        guided_min_candidates=guided_from,
        large_model_columns=large_from,
        mip_max_columns=no_mip_from,
    )
    return RunLimits(tuning=tuning)


@pytest.mark.xdist_group("brute_force")
@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_with_the_guided_mip(doc: dict) -> None:
    check_against_brute_force(doc, thresholds(guided_from=0, large_from=10**9))


@pytest.mark.xdist_group("brute_force")
@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_without_the_lagrangian_bound(doc: dict) -> None:
    """The relaxation's bound and fixings only, the full MIP from the greedy's plan."""
    without = RunLimits(tuning=dataclasses.replace(TUNING, use_lagrangian_bound=False))
    check_against_brute_force(doc, without)


@pytest.mark.xdist_group("brute_force")
@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_the_full_mip_without_heuristics(doc: dict) -> None:
    """The full MIP as it runs from a start near the Lagrangian bound, without HiGHS's primal
    heuristics, here from no start at all: it must still find the optimum."""
    model = build_model(compile_instance(parse_scenario(copy.deepcopy(doc))))
    best, _ = brute_force(doc)
    none = np.zeros(0, np.int64)
    options = SolveOptions(time_limit_s=30.0, mip_gap=0.0)
    outcome = solvers._run_mip(model, options, None, none, none, [], heuristics=False)
    if best is None:
        assert outcome.status == "infeasible"
        return
    assert outcome.status == "optimal"
    assert outcome.objective is not None
    assert math.isclose(outcome.objective, best, rel_tol=1e-6, abs_tol=1e-6)


@pytest.mark.xdist_group("brute_force")
@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_as_a_large_model(doc: dict) -> None:
    """No guided MIP, and the MIP without presolve, from the relaxation's rounded plan."""
    check_against_brute_force(doc, thresholds(guided_from=0, large_from=0))


@pytest.mark.xdist_group("brute_force")
@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_without_the_full_mip(doc: dict) -> None:
    """National scale: the relaxation's rounded plan and its bound, nothing after. The plan must
    keep every rule, be worth what it claims, and the bound must hold."""
    check_without_the_full_mip(doc)


@pytest.mark.xdist_group("brute_force")
@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_with_too_little_time_left_for_the_full_mip(doc: dict) -> None:
    """The stages leave less time than HiGHS's presolve needs (measured in relaxations): the
    answer is the stages' plan and bound, and it says why the MIP did not run."""
    never = RunLimits(tuning=dataclasses.replace(TUNING, mip_relaxations=1e12))
    rec = check_plan_and_bound(doc, never)
    if rec is not None and rec.status == "feasible":
        assert "too little time left for the full MIP" in rec.message


def test_the_full_mip_waits_for_enough_time() -> None:
    """On the Utrecht question the stages leave a plan the full MIP still has to prove: with
    the MIP asked to need more time than any limit leaves, the answer is that plan, with the
    stages' bound and the reason, and no full MIP ran; with the default, it runs."""
    doc = json.loads(UTRECHT.read_text())
    doc["solver"] = {**doc.get("solver", {}), "time_limit_s": 60}
    never = RunLimits(explain=False, tuning=dataclasses.replace(TUNING, mip_relaxations=1e12))
    skipped = solve(parse_scenario(copy.deepcopy(doc)), never)
    assert "full MIP" not in [stage.name for stage in skipped.solver.stages]
    assert skipped.status == "feasible"
    assert "too little time left for the full MIP" in skipped.message
    ran = solve(parse_scenario(copy.deepcopy(doc)), RunLimits(explain=False))
    assert "full MIP" in [stage.name for stage in ran.solver.stages]
    assert ran.status == "optimal"
    assert skipped.objective is not None
    assert skipped.bound is not None
    assert ran.objective is not None
    assert ran.bound is not None
    # Each answer's bound holds for the other's plan.
    assert skipped.objective <= ran.bound + 1e-6
    assert ran.objective <= skipped.bound + 1e-6


def test_without_a_plan_the_full_mip_may_use_what_follows_a_plan(design_example: dict) -> None:
    """With the stages' time gone and no plan yet, the full MIP may still run until the
    answer's own deadline (`without_plan`): the time held back for an explanation and warnings
    is of no use to a plan that is not there. The DESIGN example's optimum is 10,737.17
    (DESIGN §3); with that time left unused the answer was "no plan"."""
    design_example["solver"] = {"name": "highs", "mip_gap": 0, "time_limit_s": 30}
    model = build_model(compile_instance(parse_scenario(design_example)))
    options = SolveOptions(time_limit_s=30, mip_gap=0.0)
    gone = Deadline.start(0.0)
    answer = solvers.solve_model(model, options, deadline=gone, without_plan=Deadline.start(30))
    assert answer.status == "optimal"
    assert answer.objective == pytest.approx(10737.17, abs=0.005)
    nothing_after = solvers.solve_model(model, options, deadline=Deadline.start(0.0))
    assert nothing_after.status == "error"
    assert nothing_after.message.startswith("no plan: ")


def check_without_the_full_mip(doc: dict) -> None:
    rec = check_plan_and_bound(doc, thresholds(0, 0, no_mip_from=0))
    if rec is None:
        return
    assert rec.explanation is None
    assert any("left out" in warning for warning in rec.warnings)


def check_plan_and_bound(doc: dict, limits: RunLimits) -> Recommendation | None:
    """The answer's plan keeps every rule and is worth what it claims, it is the optimum when
    said to be, and its bound holds; None for a scenario without a plan (said so)."""
    rec = solve(parse_scenario(copy.deepcopy(doc)), limits)
    best, _ = brute_force(doc)
    if best is None:
        assert rec.status == "infeasible"
        return None
    assume(rec.status != "error")  # the greedy may find no plan where one exists
    assert rec.status in ("optimal", "feasible")
    assert rec.objective is not None
    plan = [(a.intervention, a.neighbourhood, a.start_year - doc["start_year"])
            for a in rec.allocations]
    assert plan_violations(doc, plan) == []
    assert math.isclose(plan_value(doc, plan), rec.objective, rel_tol=1e-6, abs_tol=1e-6)
    assert rec.objective <= best + 1e-6 * max(1.0, abs(best))
    if rec.bound is not None:
        assert rec.bound >= best - 1e-6 * max(1.0, abs(best))
    if rec.status == "optimal":
        assert math.isclose(rec.objective, best, rel_tol=1e-6, abs_tol=1e-6)
    return rec
