"""CBC (bundled with PuLP) through PuLP's command-line interface; its bound is read from its log."""

from __future__ import annotations

import os
import re
import tempfile

import numpy as np
import pulp

from app.optimizer.build import Model
from app.optimizer.outcome import SolveOptions, SolveOutcome, relative_gap

_CBC_RESULT = re.compile(r"Result - (.+)")
_CBC_NUMBER = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"


def solve_cbc(model: Model, options: SolveOptions, warm_start: np.ndarray | None) -> SolveOutcome:
    if warm_start is not None:
        for var, value in zip(model.columns, warm_start, strict=True):
            var.setInitialValue(value)
    with tempfile.TemporaryDirectory(prefix="onderbouwd-cbc-") as folder:
        log_path = os.path.join(folder, "cbc.log")
        solver = pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=options.time_limit_s,
            gapRel=options.mip_gap,
            threads=options.threads,
            logPath=log_path,
            warmStart=warm_start is not None,
            keepFiles=False,
            options=["randomCbcSeed 1"],
        )
        try:
            model.problem.solve(solver)
        except pulp.PulpSolverError as failure:
            # CBC ends without a solution file when it is killed or runs out of memory.
            return SolveOutcome("error", None, None, None, None, f"CBC failed: {failure}")
        log = open(log_path, encoding="utf-8", errors="replace").read()
    found = _CBC_RESULT.search(log)
    result = found.group(1).strip() if found else ""
    if model.problem.status == pulp.LpStatusInfeasible or "infeasible" in result.lower():
        return SolveOutcome("infeasible", None, None, None, None, "no plan satisfies every rule")
    if model.problem.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return SolveOutcome(
            "error",
            None,
            None,
            None,
            None,
            f"no plan found (CBC: {result or pulp.LpStatus[model.problem.status]})",
        )
    values = np.array([v.varValue or 0.0 for v in model.columns], dtype=float)
    objective = float(pulp.value(model.problem.objective) or 0.0)
    # CBC prints "Upper bound" when it maximises; a "Lower bound" belongs to the minimisation
    # of the negated objective. A proven optimum within the gap tolerance has one too.
    upper = re.search(r"Upper bound:\s+" + _CBC_NUMBER, log)
    lower = re.search(r"Lower bound:\s+" + _CBC_NUMBER, log)
    bound = float(upper.group(1)) if upper else (-float(lower.group(1)) if lower else None)
    if bound is not None and bound < objective:
        bound = objective
    gap = relative_gap(objective, bound) if bound is not None else None
    if result.startswith("Optimal") or model.problem.sol_status == pulp.LpSolutionOptimal:
        if bound is None:  # proven outright: CBC prints no bound then
            return SolveOutcome("optimal", values, objective, objective, 0.0)
        return SolveOutcome("optimal", values, objective, bound, gap)
    return SolveOutcome(
        "feasible",
        values,
        objective,
        bound,
        gap,
        f"stopped at the time limit ({result}); best plan found",
    )
