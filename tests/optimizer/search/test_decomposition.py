"""The Lagrangian bound, its cuts and its fixings, checked by hand and against enumeration.

The bound must hold for every plan (never below the brute-force optimum) and never be weaker
than the relaxation's; the MIP with the cuts must still find the brute-force optimum; and no
candidate it fixes may be in a plan better than the incumbent it was fixed for.
"""

from __future__ import annotations

import copy
import time

import highspy
import numpy as np
import pytest
from hypothesis import find, given, reject, settings
from hypothesis import strategies as st
from hypothesis.errors import UnsatisfiedAssumption

from app.optimizer.backends.highs_options import quiet_highs
from app.optimizer.model.arrays import load, model_arrays
from app.optimizer.model.blocks import column_blocks
from app.optimizer.model.build import Model, build_model
from app.optimizer.problem.instance import Instance, compile_instance
from app.optimizer.search.decomposition import LagrangianBound, fixings, lagrangian_bound
from app.optimizer.search.lp_guided import Relaxation, relax
from app.optimizer.search.warm_start import greedy_plan
from app.optimizer.solve import solve
from app.schemas.scenario import parse_scenario
from benchmarks.gen_mutated import mutated_scenario
from tests.optimizer.search.test_lp_guided import assert_no_better_plan_fixed, every_plan
from tests.optimizer.test_brute_force import (
    FIND_SETTINGS,
    PROPERTY_SETTINGS,
    check_against_brute_force,
)
from tests.reference.evaluate import brute_force
from tests.strategies import require, small_scenarios

TOLERANCE = 1e-6


def _knapsack_per_neighbourhood() -> dict:
    """Two neighbourhoods, each capped at 100 € a year of cap-counting spend (10 regulated
    homes × 10 €). Run x costs 60 for 0.07 points, y and z cost 50 for 0.05 each, every one in a
    domain of its own with room to spare. Per neighbourhood the relaxation takes x and 4/5 of y
    (0.11 points); the best plan is y and z (0.10 points), or x alone (0.07)."""

    def hood(code: str) -> dict:
        scores = {d: {"score": -1.0} for d in ("a", "b", "c")}
        return {"code": code, "homes": 100, "regulated_homes": 10, "scores": scores}

    def run(key: str, domain: str, cost: float, effect: float) -> dict:
        return {
            "key": key,
            "domain": domain,
            "effects": {domain: effect},
            "cost": {"fixed": cost},
            "duration_years": 1,
        }

    return {
        "name": "knapsack per neighbourhood",
        "start_year": 2030,
        "horizon_years": 1,
        "domains": [{"key": "a"}, {"key": "b"}, {"key": "c"}],
        "neighbourhoods": [hood("N1"), hood("N2")],
        "interventions": [
            run("x", "a", 60, 0.07),
            run("y", "b", 50, 0.05),
            run("z", "c", 50, 0.05),
        ],
        "budget": {"total": 1000},
        "rules": {"cap_per_regulated_home": 10},
        "objective": {"equity": "linear"},
        "solver": {"name": "highs", "mip_gap": 0, "time_limit_s": 30},
    }


def lagrangian_of(
    doc: dict, with_plan: bool, workers: int = 2
) -> tuple[Instance, Model, Relaxation, list[np.ndarray], LagrangianBound]:
    """The instance, its model, its relaxation, the plans given to the bound and the Lagrangian
    bound: from the relaxation's prices alone, or (`with_plan`) by column generation from the
    greedy's plan, with `workers` neighbourhood MIPs at once."""
    inst = compile_instance(parse_scenario(copy.deepcopy(doc)))
    model = build_model(inst)
    relaxation = relax(model, time.monotonic() + 30, None)
    assert relaxation.status == "optimal"
    assert relaxation.bound is not None
    assert relaxation.row_duals is not None
    plans = []
    if with_plan:
        plan = greedy_plan(inst, model, 10.0, relaxation.values)
        require(plan is not None)
        assert plan is not None
        plans.append(plan)
    assert relaxation.values is not None
    assert relaxation.reduced_costs is not None
    found = lagrangian_bound(
        model_arrays(model),
        inst.cand_n,
        (relaxation.values, relaxation.reduced_costs, relaxation.row_duals),
        plans,
        time.monotonic() + 30,
        workers=workers,
    )
    if found is None:
        reject()  # None only without a candidate: no neighbourhood to price
    return inst, model, relaxation, plans, found


def _lagrangian(
    doc: dict, with_plan: bool, workers: int = 2
) -> tuple[Instance, Model, float, LagrangianBound]:
    """The instance, its model, the relaxation's bound and the Lagrangian bound."""
    inst, model, relaxation, _, found = lagrangian_of(doc, with_plan, workers)
    assert relaxation.bound is not None
    return inst, model, relaxation.bound, found


def _bound_of(doc: dict, with_plan: bool = False, workers: int = 2) -> tuple[float, float, int]:
    """(relaxation's bound, Lagrangian bound, number of cuts)."""
    _, _, relaxed, found = _lagrangian(doc, with_plan, workers)
    return relaxed, found.bound, len(found.cuts)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_the_bound_of_two_capped_neighbourhoods_is_their_best_plans(workers: int) -> None:
    """Both neighbourhoods' LP plans are fractional, so each needs its MIP: one after the
    other, side by side, or with a worker to spare."""
    doc = _knapsack_per_neighbourhood()
    relaxed, bound, cuts = _bound_of(doc, with_plan=False, workers=workers)
    best, _ = brute_force(doc)
    assert best is not None
    # Value = effect × homes per run (weight 1, no discounting): 0.10 × 100 per neighbourhood
    # for the best plan, 0.11 × 100 for the relaxation's.
    assert abs(best - 20.0) <= TOLERANCE
    assert abs(relaxed - 22.0) <= TOLERANCE
    assert cuts == 2
    # Nothing couples the neighbourhoods (the budget is far from binding), so the bound is
    # the sum of each neighbourhood's best plan: the optimum itself.
    assert abs(bound - best) <= TOLERANCE * best
    rec = solve(parse_scenario(copy.deepcopy(doc)))
    assert rec.status == "optimal"
    assert rec.objective is not None
    assert abs(rec.objective - 20.0) <= TOLERANCE


def test_columns_fall_into_their_neighbourhood_or_into_none() -> None:
    doc = _knapsack_per_neighbourhood()
    doc["rules"]["max_neighbourhood_share"] = 0.9  # adds the total-spend column, shared by all
    inst = compile_instance(parse_scenario(copy.deepcopy(doc)))
    model = build_model(inst)
    blocks = column_blocks(model_arrays(model), inst.cand_n)
    names = [var.name for var in model.columns]
    assert list(blocks[: inst.n_candidates]) == list(inst.cand_n)
    shared = [name for name, b in zip(names, blocks, strict=True) if b < 0]
    assert shared == ["total_spend"]


def _check_the_bound(doc: dict, with_plan: bool, workers: int) -> tuple[bool, int]:
    """The Lagrangian bound holds for every plan and is never weaker than the relaxation's;
    with cuts, the MIP with them still finds the brute-force optimum (checked here). Whether
    it was tighter than the relaxation, and how many cuts it made."""
    best, _ = brute_force(doc)
    require(best is not None)
    relaxed, bound, cuts = _bound_of(doc, with_plan, workers)
    slack = TOLERANCE * max(1.0, abs(best))
    assert bound >= best - slack, "the Lagrangian bound cut off a plan"
    assert bound <= relaxed + slack, "the Lagrangian bound is weaker than the relaxation"
    if cuts:
        check_against_brute_force(doc)  # the MIP with the cuts still finds the optimum
    return bound < relaxed - slack, cuts


@settings(max_examples=120, **PROPERTY_SETTINGS)
@given(small_scenarios(), st.booleans(), st.sampled_from([1, 2]))
def test_the_bound_holds_for_every_plan(doc: dict, with_plan: bool, workers: int) -> None:
    _check_the_bound(doc, with_plan, workers)


@pytest.mark.parametrize("with_plan", [False, True], ids=["from prices", "with plans"])
def test_a_bound_tighter_than_the_relaxation_with_cuts_holds(with_plan: bool) -> None:
    """The property above on an example where the bound is tighter than the relaxation's and
    made cuts, found here rather than counted in other tests."""

    def tighter_with_cuts(doc: dict) -> bool:
        try:
            tighter, cuts = _check_the_bound(doc, with_plan, 2)
        except UnsatisfiedAssumption:
            return False
        return tighter and cuts > 0

    doc = find(small_scenarios(), tighter_with_cuts, settings=FIND_SETTINGS)
    tighter, cuts = _check_the_bound(doc, with_plan, 2)
    assert tighter
    assert cuts > 0


def _check_fixings(doc: dict, shortfall: float) -> tuple[int, int, int]:
    """No candidate the bound fixes is in a plan better than the incumbent it was fixed for
    (checked here against every plan); how many it fixed at 0, at 1, and its support."""
    plans = every_plan(doc)
    require(plans)
    inst, _, _, found = _lagrangian(doc, with_plan=True)
    optimum = max(value for _, value in plans)
    slack = TOLERANCE * max(1.0, abs(optimum))
    assert found.bound >= optimum - slack
    # An incumbent at the optimum or short of it by a share of the bound's gap.
    incumbent = optimum - shortfall * (found.bound - optimum)
    to_zero, to_one = fixings(found, inst.n_candidates, incumbent)
    assert_no_better_plan_fixed(inst, plans, to_zero, to_one, incumbent, slack)
    return len(to_zero), len(to_one), int(np.count_nonzero(found.support))


@settings(max_examples=120, **PROPERTY_SETTINGS)
@given(small_scenarios(), st.sampled_from([0.0, 0.25, 0.75]))
def test_fixings_never_exclude_a_better_plan(doc: dict, shortfall: float) -> None:
    _check_fixings(doc, shortfall)


@pytest.mark.parametrize("direction", [0, 1], ids=["at zero", "at one"])
def test_fixings_in_each_direction_exclude_no_better_plan(direction: int) -> None:
    """The property above on an example where the bound fixes candidates in the given
    direction (and has a support), found here rather than counted in other tests."""

    def fixes(doc: dict) -> bool:
        try:
            counts = _check_fixings(doc, 0.25)
        except UnsatisfiedAssumption:
            return False
        return counts[direction] > 0 and counts[2] > 0

    doc = find(small_scenarios(), fixes, settings=FIND_SETTINGS)
    counts = _check_fixings(doc, 0.25)
    assert counts[direction] > 0
    assert counts[2] > 0


def _whole_model_optimum(model: Model) -> tuple[float, np.ndarray]:
    """The model handed whole to HiGHS, solved to optimality: its value and columns."""
    h = quiet_highs()
    load(h, model_arrays(model))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value), np.array(h.getSolution().col_value)


@pytest.mark.parametrize("seed", [46, 94, 123])
def test_without_a_plan_the_bound_gets_as_far_as_from_the_optimum(seed: int) -> None:
    """Column generation from no plan at all (the greedy found none: the master holds only
    artificial columns, whose steep price is in its duals) ends where it ends from the optimal
    plan. At such prices the total spend's priced cost came out of cancellation at 1e-11 and
    was taken for a worth without end: the bound stopped at the relaxation's (seed 94: 142,934
    over an optimum of 0) or short of it (seed 46: 7,889 against 7,808)."""
    inst = compile_instance(parse_scenario(mutated_scenario(seed)[0]))
    model = build_model(inst)
    optimum, best = _whole_model_optimum(model)
    relaxation = relax(model, time.monotonic() + 30, None)
    assert relaxation.values is not None
    assert relaxation.reduced_costs is not None
    assert relaxation.row_duals is not None
    prices = (relaxation.values, relaxation.reduced_costs, relaxation.row_duals)

    def bound(plans: list[np.ndarray]) -> float:
        found = lagrangian_bound(
            model_arrays(model), inst.cand_n, prices, plans, time.monotonic() + 60
        )
        assert found is not None
        return found.bound

    from_nothing, from_optimum = bound([]), bound([best])
    slack = 1e-6 * max(1.0, abs(optimum), abs(from_optimum))
    assert optimum - slack <= from_nothing <= from_optimum + slack
