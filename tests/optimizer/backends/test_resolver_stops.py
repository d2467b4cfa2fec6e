"""Why a re-solve ended: a MIP told to stop at a plan worth enough (`stop_at`) that stops there
ended by itself, the same on every run; only a stop by the clock may end elsewhere next time."""

from __future__ import annotations

import numpy as np
import pytest

from app.optimizer.backends.resolve import Resolver
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import Instance, compile_instance
from app.optimizer.problem.value import plan_value
from app.schemas.scenario import parse_scenario
from examples.generate_random import random_scenario
from tests.reference.evaluate import plan_value as reference_value


def _model_and_document() -> tuple[Instance, dict]:
    document = random_scenario(100, 40, 3, seed=2)
    document["solver"] = {"name": "highs", "mip_gap": 0.0, "time_limit_s": 60}
    inst = compile_instance(parse_scenario(document))
    return inst, document


def test_a_mip_stopped_at_a_plan_worth_enough_was_not_stopped_by_the_clock() -> None:
    inst, document = _model_and_document()
    model = build_model(inst)
    milp = Resolver(model)
    result = milp.solve(gap=0.0, time_limit_s=60.0, start=np.zeros(model.n_cols), stop_at=1.0)
    assert result.values is not None
    chosen = np.rint(result.values[: inst.n_candidates]).astype(np.int64)
    assert plan_value(inst, chosen) >= 1.0
    # Stopped long before a proof: the plan is far from the relaxation's bound ...
    relaxation = Resolver(model, relaxed=True).solve()
    assert relaxation.objective is not None
    assert plan_value(inst, chosen) < 0.999 * relaxation.objective
    # ... at a plan worth enough, which is not the clock's doing.
    assert not result.stopped_by_clock
    plan = [
        (inst.intervention_keys[inst.cand_i[c]], inst.codes[inst.cand_n[c]], int(inst.cand_s[c]))
        for c in np.flatnonzero(chosen)
    ]
    assert reference_value(document, plan) == pytest.approx(plan_value(inst, chosen), rel=1e-9)


def test_a_mip_stopped_by_its_time_limit_says_so() -> None:
    inst, _ = _model_and_document()
    model = build_model(inst)
    result = Resolver(model).solve(gap=0.0, time_limit_s=0.05, start=np.zeros(model.n_cols))
    assert result.stopped_by_clock
