"""HiGHS through PuLP's in-memory interface, with the matrix handed over in one array call.

PuLP reports a time-limited HiGHS solve as optimal and does not expose the MIP bound, so both
are read from HiGHS itself. HiGHS can overrun its own time limit, so an interrupt callback stops
it on wall-clock time (and on a cancellation request).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import highspy
import numpy as np
import pulp

from app.optimizer.backends.highs_options import HIGHS_THREADS, presolve_rules, without_heuristics
from app.optimizer.backends.outcome import SolveOptions, SolveOutcome, relative_gap, stopped_message
from app.optimizer.model.arrays import load, model_arrays
from app.optimizer.model.blocks import Cut
from app.optimizer.model.build import Model


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


_STOPPED_EARLY = (
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kInterrupt,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kSolutionLimit,
)


class ArrayHighs(pulp.HiGHS):  # type: ignore[misc,name-defined]
    """PuLP's in-memory HiGHS interface, with the matrix handed over in one array call."""

    def __init__(
        self,
        model: Model,
        options: SolveOptions,
        warm_start: np.ndarray | None,
        *,
        fix_zero: np.ndarray | None = None,
        fix_one: np.ndarray | None = None,
        cuts: list[Cut] | None = None,
        presolve: bool = True,
        heuristics: bool = True,
        on_bound: Callable[[float], None] | None = None,
        on_plan: Callable[[np.ndarray], None] | None = None,
    ):
        """`on_bound` and `on_plan` hear of the MIP's bound and of its better plans as it
        runs (for a race beside another search, see `race`)."""
        super().__init__(
            msg=False,
            gapRel=options.mip_gap,
            timeLimit=options.time_limit_s,
        )
        self.model = model
        self.options = options
        self.warm_start = warm_start
        self.outcome: SolveOutcome | None = None
        self.costs = np.zeros(0)
        self.fix_zero = np.zeros(0, np.int64) if fix_zero is None else fix_zero
        self.fix_one = np.zeros(0, np.int64) if fix_one is None else fix_one
        self.presolve = presolve
        self.heuristics = heuristics
        self.cuts = cuts or []
        self.on_bound = on_bound
        self.on_plan = on_plan

    def actualSolve(self, lp: pulp.LpProblem) -> int:  # noqa: N802 (PuLP's name)
        self.createAndConfigureSolver(lp)
        h: highspy.Highs = lp.solverModel
        h.setOptionValue("random_seed", self.options.random_seed)
        h.setOptionValue("threads", HIGHS_THREADS)
        h.setOptionValue("presolve", "on" if self.presolve else "off")
        presolve_rules(h)
        if not self.heuristics:
            without_heuristics(h)
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
        self._report_progress(h)
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

    def _report_progress(self, h: highspy.Highs) -> None:
        on_bound, on_plan = self.on_bound, self.on_plan
        if on_bound is not None:
            last = [np.inf]

            def bound(event: Any) -> None:
                found = float(event.data_out.mip_dual_bound)
                if found < last[0] and np.isfinite(found):
                    last[0] = found
                    on_bound(found)

            h.cbMipInterrupt.subscribe(bound)
        if on_plan is not None:
            h.cbMipImprovingSolution.subscribe(
                lambda event: on_plan(np.asarray(event.data_out.mip_solution, dtype=float))
            )

    def _pass_model(self, h: highspy.Highs) -> None:
        arrays = model_arrays(self.model)
        self.costs = arrays.costs
        col_lower, col_upper = arrays.col_lower, arrays.col_upper
        if len(self.fix_zero) or len(self.fix_one):
            col_lower, col_upper = col_lower.copy(), col_upper.copy()
            col_upper[self.fix_zero] = 0.0
            col_lower[self.fix_one] = 1.0
        load(h, arrays, col_lower=col_lower, col_upper=col_upper)
        for cut in self.cuts:
            h.addRow(-highspy.kHighsInf, cut.upper, len(cut.columns), cut.columns, cut.coefficients)

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
            # HiGHS reports a bound of 0 after a run it refused (an option it rejects, a model
            # it cannot load): only a run that stopped early has a bound worth reading.
            readable = model_status in _STOPPED_EARLY and np.isfinite(info.mip_dual_bound)
            bound = float(info.mip_dual_bound) if readable else None
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
            return SolveOutcome("optimal", values, objective, bound, relative_gap(objective, bound))
        # Stopped before the root relaxation gave a bound: how far from optimal is unknown.
        bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
        gap = relative_gap(objective, bound) if bound is not None else None
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
            stopped_message(reason, gap),
        )
