"""Among equally good plans, the one that spends nothing for nothing.

A run can add no value to a plan (its cells are already at their target, or its domain has
no gap in that neighbourhood) and still be funded: the optimum does not change whether it is
in or out, so which of the two plans a solver returns is chance. A planner would not spend on
it, so a funded run that adds nothing is dropped, the costliest first, whenever the plan
without it still keeps every rule (a minimum share may need it) and is worth as much.
"""

from __future__ import annotations

import time

import numpy as np

from app.optimizer.backends.resolve import Resolver
from app.optimizer.model.build import Model
from app.optimizer.problem.instance import Instance
from app.optimizer.problem.lines import limit_lines
from app.optimizer.problem.result import run_values
from app.optimizer.problem.rules import broken_rules
from app.optimizer.problem.value import plan_value

# A run adding less than this (relative to the plan's value, or absolute below 1) adds nothing.
_NOTHING = 1e-9
MAX_CHECKS = 200
# Time for the LP that sets the plan's other columns after runs were dropped.
_COMPLETION_S = 30.0


def without_idle_runs(
    inst: Instance, model: Model, values: np.ndarray, time_limit_s: float = _COMPLETION_S
) -> np.ndarray:
    """`values` (one per model column) with every funded run that adds nothing dropped where
    the rules allow, the other columns set to match, all within `time_limit_s`; `values`
    itself when none is. The checks stop at the limit and keep the runs not yet checked: a
    plan with an idle run in it is worth as much and keeps every rule (`mutated` seed 407,
    400 x 3 x 3, checked 200 idle runs at about 10 ms each and answered 1.2 s late)."""
    until = time.monotonic() + time_limit_s
    chosen = np.rint(values[: inst.n_candidates]).astype(np.int64)
    worth = plan_value(inst, chosen)
    tolerance = _NOTHING * max(1.0, abs(worth))
    idle = [c for c, lost in run_values(inst, chosen).items() if lost <= tolerance]
    if not idle:
        return values
    spend = inst.corporation.sum(axis=1)
    lines = limit_lines(inst)
    dropped = False
    # Each check re-reads the whole plan: past a few hundred idle runs (none seen so far) the
    # rest stay, rather than the answer waiting on them.
    for c in sorted(idle, key=lambda c: (-float(spend[c]), c))[:MAX_CHECKS]:
        if time.monotonic() > until:
            break
        trial = chosen.copy()
        trial[c] -= 1
        if plan_value(inst, trial) >= worth - tolerance and not broken_rules(inst, trial, lines):
            chosen, dropped = trial, True
    if not dropped or time.monotonic() > until:
        return values
    completed = completed_plan(model, chosen, inst.n_candidates, until - time.monotonic())
    return values if completed is None else completed


def completed_plan(
    model: Model, chosen: np.ndarray, n_candidates: int, time_limit_s: float = _COMPLETION_S
) -> np.ndarray | None:
    """The plan's other columns (effects, pieces, totals) at their best for these runs."""
    lp = Resolver(model, relaxed=True)
    funded = {int(c): (float(chosen[c]), float(chosen[c])) for c in np.flatnonzero(chosen)}
    try:
        with (
            lp.cols_fixed(np.flatnonzero(chosen[:n_candidates] == 0), 0.0),
            lp.changed(cols=funded),
        ):
            result = lp.solve(time_limit_s=max(0.05, time_limit_s))
    finally:
        lp.close()
    if result.status != "optimal" or result.values is None:
        return None
    return result.values
