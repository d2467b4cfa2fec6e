"""Running a built model on HiGHS or CBC, both through PuLP, and reading what really happened.

PuLP reports a time-limited HiGHS solve as optimal and does not expose the MIP bound, so both
are read from HiGHS itself. HiGHS can overrun its own time limit, so an interrupt callback stops
it on wall-clock time (and on a cancellation request).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Literal

import highspy
import numpy as np
import pulp

from app.optimizer.build import Model

Status = Literal["optimal", "feasible", "infeasible", "error", "stale"]


def _construct_quietly() -> None:
    """HiGHS prints its banner to standard output when the first instance of a process is made;
    make that instance with stdout closed, so that `--json` output stays pure JSON."""
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_construct_quietly()


@dataclass(frozen=True)
class SolveOptions:
    solver: Literal["highs", "cbc"] = "highs"
    time_limit_s: float = 60.0
    mip_gap: float = 0.001
    threads: int | None = None
    cancel: threading.Event | None = None


@dataclass(frozen=True)
class SolveOutcome:
    status: Status
    values: np.ndarray | None  # per column of `Model.columns`
    objective: float | None
    bound: float | None
    gap: float | None
    message: str = ""


def solver_version(name: str) -> str:
    if name == "highs":
        return f"HiGHS {metadata.version('highspy')}"
    return "CBC (bundled with PuLP)"


def solve_model(
    model: Model, options: SolveOptions, warm_start: np.ndarray | None = None
) -> SolveOutcome:
    if any(len(row) == 0 and not row.valid() for row in model.rows):
        # A rule no decision can meet (a lock on a pair that has no candidate at all).
        return SolveOutcome("infeasible", None, None, None, None, "no plan satisfies every rule")
    if options.solver == "cbc":
        return _solve_cbc(model, options, warm_start)
    solver = _ArrayHighs(model, options, warm_start)
    model.problem.solve(solver)
    assert solver.outcome is not None
    if solver.outcome.status == "stale":
        if warm_start is not None:
            # HiGHS can report the optimum's objective yet hand back the starting plan's
            # columns (seen when presolve settles the model outright); without it, it is exact.
            return solve_model(model, options, None)
        return SolveOutcome(
            "error",
            None,
            None,
            None,
            None,
            "HiGHS returned a plan that does not match its objective",
        )
    return solver.outcome


def constraint_matrix(model: Model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows as CSR arrays (starts, column indices, values), columns indexed by position."""
    for position, var in enumerate(model.columns):
        var.index = position
    counts = np.fromiter((len(row) for row in model.rows), dtype=np.int64, count=len(model.rows))
    starts = np.zeros(len(model.rows) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    total = int(starts[-1])
    index = np.fromiter((v.index for row in model.rows for v in row), dtype=np.int32, count=total)
    value = np.fromiter((a for row in model.rows for a in row.values()), dtype=float, count=total)
    return starts, index, value


def row_bounds(model: Model) -> tuple[np.ndarray, np.ndarray]:
    inf = highspy.kHighsInf
    lower = np.array([-inf if (lb := r.getLb()) is None else lb for r in model.rows], dtype=float)
    upper = np.array([inf if (ub := r.getUb()) is None else ub for r in model.rows], dtype=float)
    return lower, upper


class _ArrayHighs(pulp.HiGHS):  # type: ignore[misc,name-defined]
    """PuLP's in-memory HiGHS interface, with the matrix handed over in one array call."""

    def __init__(self, model: Model, options: SolveOptions, warm_start: np.ndarray | None):
        super().__init__(
            msg=False,
            gapRel=options.mip_gap,
            threads=options.threads,
            timeLimit=options.time_limit_s,
        )
        self.model = model
        self.options = options
        self.warm_start = warm_start
        self.outcome: SolveOutcome | None = None
        self.costs = np.zeros(0)

    def actualSolve(self, lp: pulp.LpProblem) -> int:  # noqa: N802 (PuLP's name)
        self.createAndConfigureSolver(lp)
        h: highspy.Highs = lp.solverModel
        h.setOptionValue("random_seed", 0)
        self._pass_model(h)
        if self.warm_start is not None:
            h.setSolution(
                len(self.warm_start),
                np.arange(len(self.warm_start), dtype=np.int32),
                self.warm_start.astype(float),
            )
        deadline = time.monotonic() + self.options.time_limit_s
        cancel = self.options.cancel

        def interrupt(event: Any) -> None:
            if time.monotonic() > deadline or (cancel is not None and cancel.is_set()):
                event.interrupt()

        for callback in (h.cbMipInterrupt, h.cbSimplexInterrupt, h.cbIpmInterrupt):
            callback.subscribe(interrupt)
        h.run()
        self.outcome = self._read_outcome(h)
        if self.outcome.values is not None:
            for var, value in zip(self.model.columns, self.outcome.values, strict=True):
                var.varValue = value
        status = {
            "optimal": pulp.LpStatusOptimal,
            "feasible": pulp.LpStatusOptimal,
            "infeasible": pulp.LpStatusInfeasible,
        }.get(self.outcome.status, pulp.LpStatusUndefined)
        lp.assignStatus(status)
        return status

    def _pass_model(self, h: highspy.Highs) -> None:
        columns = self.model.columns
        inf = highspy.kHighsInf
        starts, index, value = constraint_matrix(self.model)
        costs = np.zeros(len(columns))
        for var, coefficient in self.model.problem.objective.items():
            # PuLP adds a fixed `__dummy` column to an objective without variables: not ours.
            if var.name != "__dummy":
                costs[var.index] = coefficient
        self.costs = costs
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in columns], dtype=float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in columns], dtype=float)
        h.addCols(
            len(columns),
            costs,
            lower,
            upper,
            0,
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0),
        )
        integer = np.array([v.cat == pulp.LpInteger for v in columns], dtype=bool)
        if integer.any():
            positions = np.flatnonzero(integer).astype(np.int32)
            h.changeColsIntegrality(
                len(positions), positions, np.full(len(positions), 1, dtype=np.uint8)
            )
        row_lower, row_upper = row_bounds(self.model)
        h.addRows(
            len(self.model.rows),
            row_lower,
            row_upper,
            len(value),
            starts[:-1].astype(np.int32),
            index,
            value,
        )
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)

    def _read_outcome(self, h: highspy.Highs) -> SolveOutcome:
        model_status = h.getModelStatus()
        kinds = highspy.HighsModelStatus
        info = h.getInfo()
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if model_status in (kinds.kInfeasible, kinds.kUnboundedOrInfeasible):
            return SolveOutcome(
                "infeasible", None, None, None, None, "no plan satisfies every rule"
            )
        if model_status == kinds.kModelEmpty:
            return SolveOutcome("optimal", np.zeros(0), 0.0, 0.0, 0.0)
        if not has_solution:
            bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
            return SolveOutcome(
                "error",
                None,
                None,
                bound,
                None,
                f"no plan found (HiGHS: {h.modelStatusToString(model_status)})",
            )
        values = np.asarray(h.getSolution().col_value, dtype=float)
        objective = float(info.objective_function_value)
        if abs(float(self.costs @ values) - objective) > 1e-6 * max(1.0, abs(objective)):
            return SolveOutcome("stale", None, None, None, None, "columns do not match")
        if model_status == kinds.kOptimal:
            bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else objective
            return SolveOutcome(
                "optimal", values, objective, bound, _relative_gap(objective, bound)
            )
        # Stopped before the root relaxation gave a bound: how far from optimal is unknown.
        bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
        gap = _relative_gap(objective, bound) if bound is not None else None
        reason = (
            "cancelled"
            if self.options.cancel is not None and self.options.cancel.is_set()
            else "stopped at the time limit"
        )
        return SolveOutcome(
            "feasible",
            values,
            objective,
            bound,
            gap,
            f"{reason}; best plan found, "
            + (f"gap {gap:.4%}" if gap is not None else "no bound yet, so the gap is unknown"),
        )


def _relative_gap(objective: float, bound: float) -> float:
    if abs(bound - objective) <= 1e-9:
        return 0.0
    return abs(bound - objective) / max(abs(objective), 1e-10)


_CBC_RESULT = re.compile(r"Result - (.+)")
_CBC_NUMBER = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"


def _solve_cbc(model: Model, options: SolveOptions, warm_start: np.ndarray | None) -> SolveOutcome:
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
    gap = _relative_gap(objective, bound) if bound is not None else None
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
