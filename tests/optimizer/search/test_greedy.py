"""The greedy's plan on the rules that trip it, checked with the independent reference evaluator.

A minimum share of spend that the relaxation meets only with fractions of runs too large to
take whole (a neighbourhood's cap): taken in the relaxation's order, the rest of its runs spend
the budget before the minimum is repaired, and the greedy used to end without a plan on every
try. It must find one, and that plan must keep every rule of DESIGN §3.
"""

from __future__ import annotations

import time

import numpy as np

from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.optimizer.search.lp_guided import relax
from app.optimizer.search.warm_start import greedy_plan
from app.schemas.scenario import parse_scenario
from benchmarks.gen_corporation import scenario as corporation_scenario
from tests.optimizer.search.test_exchange import runs_of
from tests.reference.evaluate import plan_value, plan_violations

TOLERANCE = 1e-6


def test_a_minimum_share_met_by_the_relaxation_with_parts_of_runs() -> None:
    doc = corporation_scenario(30, 25, 4, 6)
    assert doc["rules"]["domain_share"]["nuisance_safety"]["min"] > 0
    inst = compile_instance(parse_scenario(doc))
    model = build_model(inst)
    relaxation = relax(model, time.monotonic() + 60, None)
    assert relaxation.values is not None
    # The situation the test is about: the relaxation funds part of a run toward the minimum.
    domain = inst.domain_keys.index("nuisance_safety")
    toward = inst.primary_domain() == domain
    funded = relaxation.values[: inst.n_candidates]
    assert np.any(toward & (funded > 1e-6) & (funded < 1 - 1e-6))

    plan = greedy_plan(inst, model, 60.0, relaxation.values)
    assert plan is not None
    runs = runs_of(inst, plan)
    assert plan_violations(doc, runs) == []
    value = plan_value(doc, runs)
    assert value > 0
    # The model's worth of the plan never overstates the reference's.
    assert float(model.arrays.costs @ plan) <= value + TOLERANCE * max(1.0, abs(value))
