"""`solver.random_seed`: HiGHS's seed in the MIPs over the whole model. Another seed is another
search path, never another answer to the question: the optimum (by enumeration) on small
scenarios, and on the Utrecht question two seeds prove plans within the gap of each other."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.optimizer import RunLimits, solve
from app.optimizer.backends.highs import ArrayHighs
from app.optimizer.backends.outcome import SolveOptions
from app.optimizer.backends.resolve import Resolver
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.schemas.scenario import parse_scenario
from tests.optimizer.test_brute_force import PROPERTY_SETTINGS, check_against_brute_force
from tests.strategies import small_scenarios

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SEEDS = st.integers(min_value=0, max_value=2**31 - 1)


@settings(max_examples=40, **PROPERTY_SETTINGS)
@given(small_scenarios(), SEEDS)
def test_every_seed_finds_the_optimum_that_enumeration_finds(doc: dict, seed: int) -> None:
    doc = copy.deepcopy(doc)
    doc["solver"]["random_seed"] = seed
    check_against_brute_force(doc)


def test_the_seed_reaches_highs_and_the_answer() -> None:
    doc = json.loads((EXAMPLES / "design_example.json").read_text())
    doc["solver"]["random_seed"] = 12_345
    model = build_model(compile_instance(parse_scenario(copy.deepcopy(doc))))
    solver = ArrayHighs(model, SolveOptions(time_limit_s=10.0, random_seed=12_345), None)
    model.problem.solve(solver)
    assert model.problem.solverModel.getOptionValue("random_seed")[1] == 12_345
    guided = Resolver(model, seed=12_345)  # the guided MIP's
    assert guided.h.getOptionValue("random_seed")[1] == 12_345
    guided.close()
    rec = solve(parse_scenario(doc), RunLimits(explain=False))
    assert rec.solver.random_seed == 12_345


def test_two_seeds_prove_the_same_optimum_on_the_utrecht_question() -> None:
    doc = json.loads((EXAMPLES / "utrecht.json").read_text())
    gap = doc["solver"]["mip_gap"]
    # Long enough that neither run stops on its clock on a busy machine (each ends by itself
    # in a few seconds): then both answers are proofs, and each bounds the other's plan.
    doc["solver"]["time_limit_s"] = 600
    answers = []
    for seed in (0, 1):
        doc["solver"]["random_seed"] = seed
        rec = solve(parse_scenario(copy.deepcopy(doc)), RunLimits(explain=False))
        assert rec.status == "optimal", rec.message
        assert rec.objective is not None
        assert rec.bound is not None
        answers.append((rec.objective, rec.bound))
    (first, first_bound), (second, second_bound) = answers
    # A proven plan is within the gap of its bound, and no plan is above either bound.
    assert first <= second_bound * (1 + 1e-9)
    assert second <= first_bound * (1 + 1e-9)
    assert abs(first - second) <= gap * max(first, second) + 1e-6
