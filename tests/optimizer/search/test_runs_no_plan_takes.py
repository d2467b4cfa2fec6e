"""The runs that no plan takes, and the relaxation's bound without them.

A run that alone overfills a row with every other column at its least (dearer than a
neighbourhood's share of the budget) is in no plan that keeps the rules. Checked against the
independent reference: every plan that breaks no rule, enumerated, leaves each such run out, and
the relaxation's bound without them is still at least the brute-force optimum.
"""

from __future__ import annotations

import time

import numpy as np
from hypothesis import find, given, settings

from app.optimizer import RunLimits, solve
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.optimizer.search.greedy_setup import runs_no_plan_takes
from app.optimizer.search.lp_guided import relax
from app.schemas.scenario import parse_scenario
from benchmarks.gen_mutated import mutated_scenario
from tests.optimizer.highs_alone import whole_model_optimum
from tests.optimizer.search.test_exchange import runs_of
from tests.optimizer.search.test_lp_guided import every_plan
from tests.optimizer.test_brute_force import FIND_SETTINGS, PROPERTY_SETTINGS
from tests.strategies import small_scenarios

TOLERANCE = 1e-6


def _out_runs(doc: dict) -> tuple[set, float | None, float | None]:
    """The runs flagged, the relaxation's bound, and its bound without them."""
    inst = compile_instance(parse_scenario(doc))
    model = build_model(inst)
    out = runs_no_plan_takes(model)
    flagged = np.zeros(model.n_cols)
    flagged[: inst.n_candidates] = out
    relaxation = relax(model, time.monotonic() + 60, None, out=out)
    return set(runs_of(inst, flagged)), relaxation.bound, relaxation.bound_without_out


def _check(doc: dict) -> set:
    flagged, bound, without_out = _out_runs(doc)
    plans = every_plan(doc)
    for plan, _ in plans:
        assert not plan & flagged, (sorted(plan & flagged), sorted(plan))
    if plans and bound is not None:
        best = max(value for _, value in plans)
        assert bound >= best - TOLERANCE * max(1.0, abs(best))
        if without_out is not None:
            assert without_out >= best - TOLERANCE * max(1.0, abs(best))
            assert without_out <= bound + TOLERANCE * max(1.0, abs(bound))
    return flagged


@settings(max_examples=150, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_no_plan_that_keeps_the_rules_takes_a_flagged_run(doc: dict) -> None:
    _check(doc)


def test_a_scenario_with_flagged_runs_and_plans_is_checked() -> None:
    """The property above on a scenario found to flag a run while plans exist (so that it is
    not met only by flagging nothing)."""
    doc = find(
        small_scenarios(),
        lambda d: bool(_out_runs(d)[0]) and any(plan for plan, _ in every_plan(d)),
        settings=FIND_SETTINGS,
    )
    assert _check(doc)


def _shared(costs: dict[str, float], share: float, budget: float, buurten: int = 2) -> dict:
    """`buurten` buurten, one intervention per cost, each buurt at most `share` of the spend."""
    return {
        "name": "shared", "start_year": 2027, "horizon_years": 1,
        "domains": [{"key": "a"}],
        "neighbourhoods": [
            {"code": f"N{k}", "homes": 100, "scores": {"a": {"score": -0.3}}}
            for k in range(1, buurten + 1)
        ],
        "interventions": [
            {"key": key, "domain": "a", "effects": {"a": 0.1}, "cost": {"fixed": cost}}
            for key, cost in costs.items()
        ],
        "budget": {"total": budget},
        "rules": {"max_neighbourhood_share": share},
        "solver": {"name": "highs", "mip_gap": 0, "time_limit_s": 30},
    }


def test_a_run_dearer_than_a_buurts_share_of_the_budget_is_flagged() -> None:
    """By hand: at most half of a budget of 1,000 per buurt is 500; the run of 600 is flagged
    in both buurten, the run of 400 in neither."""
    flagged, _, _ = _out_runs(_shared({"big": 600, "small": 400}, 0.5, 1000))
    assert flagged == {("big", "N1", 0), ("big", "N2", 0)}


def test_an_empty_optimum_is_proven_by_the_relaxation() -> None:
    """Eleven buurten, each at most a tenth of the spend (100 of 1,000), and every run costs
    150: only the empty plan keeps the rules (the reference agrees), the plain LP funds two
    thirds of a run in each buurt, and the bound without the flagged runs proves the empty plan
    with no stage after the greedy."""
    doc = _shared({"x": 150}, 0.1, 1000, buurten=11)
    plans = every_plan(doc)
    assert [plan for plan, _ in plans] == [frozenset()]
    flagged, bound, without_out = _out_runs(doc)
    assert len(flagged) == 11
    assert bound is not None
    assert bound > 0
    assert without_out == 0.0
    rec = solve(parse_scenario(doc), RunLimits(explain=False))
    assert rec.status == "optimal"
    assert rec.allocations == []
    assert [stage.name for stage in rec.solver.stages][:3] == ["build", "relaxation", "greedy"]
    assert "lagrangian bound" not in [stage.name for stage in rec.solver.stages]


def test_the_empty_plan_answers_where_the_greedy_has_none() -> None:
    """Mutated scenario 94 (250 buurten x 20 x 3): only the empty plan keeps the minimum share
    and the buurt share together, and the greedy ends without a plan. With the bound at 0
    after the relaxation, the empty plan is the answer, proven, and no stage follows (HiGHS
    alone on the whole model agrees that nothing is worth more)."""
    doc, _ = mutated_scenario(94)
    doc["solver"] = {"name": "highs", "mip_gap": 0.001, "time_limit_s": 30}
    rec = solve(parse_scenario(doc), RunLimits(explain=False))
    assert rec.status == "optimal"
    assert rec.allocations == []
    assert rec.objective == 0.0
    names = [stage.name for stage in rec.solver.stages]
    assert "greedy" in names
    assert "lagrangian bound" not in names
    assert abs(whole_model_optimum(doc)) <= 1e-6
