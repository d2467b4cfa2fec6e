"""The relaxation's bound and the fixings read from it, checked against enumeration.

Reduced-cost fixing must never rule out a plan better than the incumbent it was computed for:
for every candidate it fixes at 0, every plan that funds it is worth no more than the
incumbent (and the other way round for a fix at 1). Enumeration with the independent reference
evaluator says what every plan is worth.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import UnsatisfiedAssumption

from app.optimizer.backends.resolve import enough
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import Instance, compile_instance
from app.optimizer.search.lp_guided import fixings, guided_plan, relax
from app.optimizer.search.warm_start import greedy_plan
from app.schemas.scenario import parse_scenario
from examples.generate_random import random_scenario
from tests.optimizer.test_brute_force import FIND_SETTINGS, PROPERTY_SETTINGS
from tests.reference.evaluate import candidates, plan_value, plan_violations
from tests.strategies import require, small_scenarios

TOLERANCE = 1e-6
EXAMPLES = 120


def every_plan(doc: dict) -> list[tuple[frozenset, float]]:
    runs = candidates(doc)
    plans = []
    for mask in range(1 << len(runs)):
        plan = [run for k, run in enumerate(runs) if mask >> k & 1]
        if not plan_violations(doc, plan):
            plans.append((frozenset(plan), plan_value(doc, plan)))
    return plans


def assert_no_better_plan_fixed(
    inst: Instance,
    plans: list[tuple[frozenset, float]],
    to_zero: np.ndarray,
    to_one: np.ndarray,
    incumbent: float,
    slack: float,
) -> None:
    """Every plan funding a candidate fixed at 0 (or leaving out one fixed at 1) is worth no
    more than `incumbent`."""
    run_of = {
        c: (inst.intervention_keys[i], inst.codes[n], int(s))
        for c, (i, n, s) in enumerate(zip(inst.cand_i, inst.cand_n, inst.cand_s, strict=True))
    }
    for c in to_zero:
        funding = [value for plan, value in plans if run_of[c] in plan]
        assert max(funding, default=incumbent) <= incumbent + slack, run_of[c]
    for c in to_one:
        without = [value for plan, value in plans if run_of[c] not in plan]
        assert max(without, default=incumbent) <= incumbent + slack, run_of[c]


def _check_fixings(doc: dict, shortfall: float) -> tuple[int, int]:
    """No candidate the relaxation fixes excludes a plan better than the incumbent (checked
    here against every plan); how many it fixed at 0 and at 1."""
    inst = compile_instance(parse_scenario(copy.deepcopy(doc)))
    model = build_model(inst)
    plans = every_plan(doc)
    require(plans)
    relaxation = relax(model, time.monotonic() + 30, None)
    assert relaxation.status == "optimal"
    assert relaxation.bound is not None
    optimum = max(value for _, value in plans)
    slack = TOLERANCE * max(1.0, abs(optimum))
    assert relaxation.bound >= optimum - slack, "the relaxation must bound every plan"

    # An incumbent at the optimum or short of it by a share of the relaxation's gap.
    incumbent = optimum - shortfall * (relaxation.bound - optimum)
    to_zero, to_one = fixings(relaxation, inst.n_candidates, incumbent)
    assert_no_better_plan_fixed(inst, plans, to_zero, to_one, incumbent, slack)
    return len(to_zero), len(to_one)


@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios(), st.sampled_from([0.0, 0.25, 0.75]))
def test_fixings_never_exclude_a_better_plan(doc: dict, shortfall: float) -> None:
    _check_fixings(doc, shortfall)


@pytest.mark.parametrize("direction", [0, 1], ids=["at zero", "at one"])
def test_fixings_in_each_direction_exclude_no_better_plan(direction: int) -> None:
    """The property above on an example where the relaxation fixes candidates in the given
    direction, found here rather than counted in other tests."""

    def fixes(doc: dict) -> bool:
        try:
            return _check_fixings(doc, 0.25)[direction] > 0
        except UnsatisfiedAssumption:
            return False

    doc = find(small_scenarios(), fixes, settings=FIND_SETTINGS)
    assert _check_fixings(doc, 0.25)[direction] > 0


def test_the_guided_mip_stops_at_a_plan_worth_enough() -> None:
    """Asked to stop at a plan worth what its start is worth, the guided MIP answers with the
    start; asked for nothing, it finds a better plan (so the stop is what ended it)."""
    inst = compile_instance(parse_scenario(random_scenario(30, 40, 3, 1)))
    model = build_model(inst)
    relaxation = relax(model, time.monotonic() + 60, None)
    start = greedy_plan(inst, model, 10.0, relaxation.values)
    assert start is not None
    costs = model.arrays.costs
    start_value = float(costs @ start)
    stopped = guided_plan(model, relaxation, 0.0, 60.0, None, start, None, start_value)
    assert stopped is not None
    assert abs(float(costs @ stopped) - start_value) <= TOLERANCE * abs(start_value)
    searched = guided_plan(model, relaxation, 0.0, 60.0, None, start)
    assert searched is not None
    assert float(costs @ searched) > start_value * (1 + 1e-4)


def test_a_plan_worth_enough_out_of_reach() -> None:
    """Once HiGHS's bound is below the value asked for, no plan worth it exists: the MIP then
    stops as soon as its plan is within the settling gap of that bound (hand-set values)."""
    assert enough(100.0, 120.0, 100.0, 0.01)  # worth enough
    assert not enough(99.0, 101.0, 100.0, 0.01)  # a plan worth 100 may still exist
    assert enough(99.0, 99.5, 100.0, 0.01)  # none can, and 99 is within 1 % of 99.5
    assert not enough(95.0, 99.5, 100.0, 0.01)  # none can, but 95 is 4.7 % short
    assert not enough(float("inf"), 99.5, 100.0, 0.01)  # HiGHS's "no plan yet"
    assert not enough(1e9, 1e9, float("inf"), 0.01)  # no stop asked for


def test_the_guided_mip_settles_when_no_plan_is_worth_enough() -> None:
    """Asked for a plan worth more than the relaxation's bound (none is), with a settling gap,
    the guided MIP answers with a plan within that gap of the best one it can find."""
    inst = compile_instance(parse_scenario(random_scenario(30, 40, 3, 1)))
    model = build_model(inst)
    relaxation = relax(model, time.monotonic() + 60, None)
    assert relaxation.bound is not None
    start = greedy_plan(inst, model, 10.0, relaxation.values)
    costs = model.arrays.costs
    best = guided_plan(model, relaxation, 0.0, 60.0, None, start)
    assert best is not None
    settled = guided_plan(
        model, relaxation, 0.0, 60.0, None, start, None, 2 * relaxation.bound, 0.01
    )
    assert settled is not None
    assert float(costs @ settled) >= float(costs @ best) / 1.01 - TOLERANCE
