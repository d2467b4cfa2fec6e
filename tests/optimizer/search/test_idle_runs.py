"""A plan never funds a run that adds nothing, unless a rule needs it.

Checked by hand on a constructed case (a run in a domain without a gap), and on random small
scenarios with the independent reference evaluator: dropping any one funded run either loses
value or breaks a rule.
"""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings

from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import Instance, compile_instance
from app.optimizer.search.idle_runs import completed_plan, without_idle_runs
from app.schemas.scenario import parse_scenario
from tests.optimizer.explain.test_explain_candidates import _doc
from tests.optimizer.explain_checks import plan_of, solve_doc
from tests.optimizer.search.test_exchange import runs_of
from tests.optimizer.test_brute_force import PROPERTY_SETTINGS
from tests.reference.evaluate import plan_value, plan_violations
from tests.strategies import small_scenarios

TOLERANCE = 1e-6


def _runs(inst: Instance, values: np.ndarray) -> set[tuple[str, str]]:
    return {(intervention, code) for intervention, code, _ in runs_of(inst, values)}


def _plan_values(doc: dict, runs: set[tuple[str, str]]) -> tuple[Instance, np.ndarray]:
    """The model's columns for a plan of these (intervention, neighbourhood) runs."""
    inst = compile_instance(parse_scenario(copy.deepcopy(doc)))
    model = build_model(inst)
    chosen = np.zeros(inst.n_candidates, np.int64)
    for c in range(inst.n_candidates):
        pair = (inst.intervention_keys[int(inst.cand_i[c])], inst.codes[int(inst.cand_n[c])])
        chosen[c] = pair in runs
    values = completed_plan(model, chosen, inst.n_candidates)
    assert values is not None
    return inst, without_idle_runs(inst, model, values)


def test_a_run_in_a_domain_without_a_gap_is_dropped() -> None:
    # "cohesion" works on domain b, where N2 has no score and so no gap: worth nothing there.
    inst, values = _plan_values(_doc(), {("big", "N1"), ("cohesion", "N2")})
    assert _runs(inst, values) == {("big", "N1")}


def test_a_run_a_minimum_share_needs_is_kept() -> None:
    doc = _doc(rules={"domain_share": {"b": {"min": 0.001}}})
    inst, values = _plan_values(doc, {("big", "N1"), ("cohesion", "N2")})
    assert _runs(inst, values) == {("big", "N1"), ("cohesion", "N2")}


@settings(max_examples=60, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_every_funded_run_adds_value_or_keeps_a_rule(doc: dict) -> None:
    rec = solve_doc(doc, explain=False)
    if rec.status not in ("optimal", "feasible"):
        return
    plan = plan_of(doc, rec)
    worth = plan_value(doc, plan)
    for k in range(len(plan)):
        without = plan[:k] + plan[k + 1 :]
        adds = worth - plan_value(doc, without) > TOLERANCE * max(1.0, abs(worth))
        assert adds or plan_violations(doc, without), (plan[k], plan)
