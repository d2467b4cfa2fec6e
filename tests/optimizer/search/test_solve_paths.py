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
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings

from app.optimizer import RunLimits, solve
from app.optimizer.backends.outcome import SolveOptions
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.optimizer.search import solvers
from app.optimizer.tuning import TUNING
from app.schemas.scenario import parse_scenario
from tests.optimizer.test_brute_force import PROPERTY_SETTINGS, check_against_brute_force
from tests.reference.evaluate import brute_force, plan_value, plan_violations
from tests.strategies import small_scenarios

EXAMPLES = 60


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


def check_without_the_full_mip(doc: dict) -> None:
    rec = solve(parse_scenario(copy.deepcopy(doc)), thresholds(0, 0, no_mip_from=0))
    best, _ = brute_force(doc)
    if best is None:
        assert rec.status == "infeasible"
        return
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
    assert rec.explanation is None
    assert any("left out" in warning for warning in rec.warnings)
