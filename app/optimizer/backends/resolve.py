"""One HiGHS model of a built `Model`, changed in place and solved again and again.

Explaining a plan takes many solves of nearly the same problem: a line raised by a step, a pair
locked in, the integers relaxed. Rebuilding through PuLP each time would cost more than the
solves, so the model is handed to HiGHS once (the same CSR arrays the main solve uses) and then
changed through HiGHS's own calls: row and column bounds, an extra row, integrality. Every
change made inside `changed(...)` is undone on leaving it, so the model always returns to the
scenario as given.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import highspy
import numpy as np

from app.optimizer.backends.highs_options import presolve_rules, quiet_highs
from app.optimizer.model.arrays import load, model_arrays
from app.optimizer.model.build import Model
from app.optimizer.model.matrix import IMPLIED

Status = Literal["optimal", "feasible", "infeasible", "error"]
INF = highspy.kHighsInf
_NO_NODE_LIMIT = highspy.kHighsIInf
_CLOCK_STOPS = (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt)


@dataclass(frozen=True)
class Resolved:
    status: Status
    objective: float | None = None
    values: np.ndarray | None = None  # one per column of the model (extra columns included)
    bound: float | None = None
    row_dual: np.ndarray | None = None  # LP only: ∂objective/∂(row bound), maximisation
    col_dual: np.ndarray | None = None  # LP only: reduced costs
    # Ended by the clock (or a cancel), not by itself: another run may end elsewhere.
    stopped_by_clock: bool = False

    @property
    def has_plan(self) -> bool:
        return self.values is not None


class Resolver:
    """A reusable HiGHS model of `model` (maximisation, the model's own columns and rows).

    `relaxed=True` drops integrality: an LP whose basis is kept between solves, so that a
    changed bound re-solves in a few dual simplex iterations. `implied=False` switches off the
    rows that follow from the rules (`IMPLIED`): a resolver that changes a rule's bounds (the
    explanation, the diagnosis) must not keep a row that followed from the old ones.
    """

    def __init__(
        self,
        model: Model,
        *,
        relaxed: bool = False,
        cancel: threading.Event | None = None,
        implied: bool = True,
        seed: int = 0,
    ):
        self.model = model
        self.relaxed = relaxed
        self.cancel = cancel
        self.n_cols = model.n_cols
        self.n_rows = model.n_rows
        self._row_of: dict[str, list[int]] | None = None
        h = quiet_highs(seed)
        self.h = h
        self._deadline = float("inf")
        self._stop_at = float("inf")
        self._stop_gap = 0.0
        self._enough = False  # the last run stopped at a plan worth `stop_at`, not the clock
        self._pass(model)
        if not implied:
            for r, kind in enumerate(model.row_kinds):
                if kind.startswith(IMPLIED):
                    self.set_row_bounds(r, -INF, INF)

        def late_or_cancelled() -> bool:
            late = time.monotonic() > self._deadline
            return late or (cancel is not None and cancel.is_set())

        def interrupt(event: Any) -> None:
            # The flag lives on in HiGHS's callback input into the next run, so it is always
            # written, also to clear it: else a run after an interrupted one stops at once.
            event.interrupt(late_or_cancelled())

        def interrupt_mip(event: Any) -> None:
            found, bound = event.data_out.mip_primal_bound, event.data_out.mip_dual_bound
            stop = enough(found, bound, self._stop_at, self._stop_gap)
            self._enough = self._enough or stop
            event.interrupt(stop or late_or_cancelled())

        h.cbMipInterrupt.subscribe(interrupt_mip)
        for callback in (h.cbSimplexInterrupt, h.cbIpmInterrupt):
            callback.subscribe(interrupt)

    def _pass(self, model: Model) -> None:
        arrays = model_arrays(model)
        # The model's own arrays, read-only, until a change needs a copy of its own (`_own`):
        # a relaxation that changes nothing holds no second copy (70 MB at national scale).
        self.costs = _read_only(arrays.costs)
        self.col_lower = _read_only(arrays.col_lower)
        self.col_upper = _read_only(arrays.col_upper)
        self.integer = _read_only(arrays.integer)
        self.row_lower, self.row_upper = _read_only(arrays.row_lower), _read_only(arrays.row_upper)
        load(self.h, arrays, relaxed=self.relaxed)

    def _own(self, *names: str) -> None:
        """Copy the named bound arrays before their first change."""
        for name in names:
            values = getattr(self, name)
            if not values.flags.writeable:
                setattr(self, name, values.copy())

    def close(self) -> None:
        """Free HiGHS's memory now; the resolver is unusable after. `Highs.clear` alone gives
        back nothing of what the simplex solver holds (2.6 GiB at national scale): only the
        instance's end does, and the interrupt callback holds a reference back to this object,
        so the instance would wait for the cyclic collector. The callbacks go, then the
        instance."""
        h = self.h
        for callback in (h.cbMipInterrupt, h.cbSimplexInterrupt, h.cbIpmInterrupt):
            callback.clear()
        h.clear()
        del self.h, h

    # ------------------------------------------------------------------ changes

    def rows(self, kind: str) -> list[int]:
        """Indices of the rows of that kind (empty when the model left the rule out)."""
        if self._row_of is None:
            self._row_of = {}
            for r, row_kind in enumerate(self.model.row_kinds):
                self._row_of.setdefault(row_kind, []).append(r)
        return self._row_of.get(kind, [])

    def row_bounds(self, r: int) -> tuple[float, float]:
        return float(self.row_lower[r]), float(self.row_upper[r])

    def set_row_bounds(self, r: int, lower: float, upper: float) -> None:
        self._own("row_lower", "row_upper")
        self.row_lower[r], self.row_upper[r] = lower, upper
        self.h.changeRowBounds(r, lower, upper)

    def col_bounds(self, j: int) -> tuple[float, float]:
        return float(self.col_lower[j]), float(self.col_upper[j])

    def set_col_bounds(self, j: int, lower: float, upper: float) -> None:
        self._own("col_lower", "col_upper")
        self.col_lower[j], self.col_upper[j] = lower, upper
        self.h.changeColBounds(j, lower, upper)

    def add_row(
        self, cols: np.ndarray, coefficients: np.ndarray, lower: float, upper: float
    ) -> int:
        """Append a row (kept for good: set its bounds to ±inf to switch it off)."""
        cols = np.asarray(cols, dtype=np.int32)
        self.h.addRow(lower, upper, len(cols), cols, np.asarray(coefficients, dtype=float))
        self.row_lower = np.append(self.row_lower, lower)
        self.row_upper = np.append(self.row_upper, upper)
        self.n_rows += 1
        return self.n_rows - 1

    def add_col(
        self,
        cost: float,
        lower: float,
        upper: float,
        rows: list[int],
        values: list[float],
        integer: bool = False,
    ) -> int:
        """Append a column with entries in existing rows; returns its index."""
        self.h.addCol(
            cost, lower, upper, len(rows), np.asarray(rows, np.int32), np.asarray(values, float)
        )
        j = self.n_cols
        self.n_cols += 1
        self.costs = np.append(self.costs, cost)
        self.col_lower = np.append(self.col_lower, lower)
        self.col_upper = np.append(self.col_upper, upper)
        self.integer = np.append(self.integer, integer)
        if integer and not self.relaxed:
            self.h.changeColIntegrality(j, highspy.HighsVarType.kInteger)
        return j

    def add_single_entry_cols(
        self, costs: np.ndarray, rows: np.ndarray, values: np.ndarray
    ) -> np.ndarray:
        """Append continuous columns fixed at 0 (opened later by their bounds), column k with
        the one entry `values[k]` in row `rows[k]`; returns their indices. In one call: added
        one at a time, the 15,600 slacks of a diagnosis at 120 neighbourhoods x 70 x 5 years
        took 6.2 s."""
        count = len(rows)
        costs = np.asarray(costs, dtype=float)
        zeros = np.zeros(count)
        self.h.addCols(
            count,
            costs,
            zeros,
            zeros,
            count,
            np.arange(count, dtype=np.int32),
            np.asarray(rows, dtype=np.int32),
            np.asarray(values, dtype=float),
        )
        first = self.n_cols
        self.n_cols += count
        self.costs = np.append(self.costs, costs)
        self.col_lower = np.append(self.col_lower, zeros)
        self.col_upper = np.append(self.col_upper, zeros)
        self.integer = np.append(self.integer, np.zeros(count, dtype=bool))
        return np.arange(first, first + count)

    def set_costs(self, costs: np.ndarray, maximize: bool = True) -> None:
        """Replace the objective (one cost per column) and its sense."""
        self.costs = np.asarray(costs, dtype=float).copy()
        self.h.changeColsCost(self.n_cols, np.arange(self.n_cols, dtype=np.int32), self.costs)
        sense = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        self.h.changeObjectiveSense(sense)

    def set_coefficients(self, r: int, cols: np.ndarray, values: np.ndarray) -> None:
        for j, a in zip(np.asarray(cols).tolist(), np.asarray(values).tolist(), strict=True):
            self.h.changeCoeff(r, int(j), float(a))

    @contextmanager
    def cols_fixed(self, cols: np.ndarray, value: float = 0.0) -> Iterator[None]:
        """Fix many columns at `value` for the duration of the block (one array call each way)."""
        cols = np.asarray(cols, dtype=np.int32)
        lower, upper = self.col_lower[cols].copy(), self.col_upper[cols].copy()
        try:
            self._set_cols(cols, np.full(len(cols), value), np.full(len(cols), value))
            yield
        finally:
            self._set_cols(cols, lower, upper)

    def _set_cols(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        if len(cols):
            self._own("col_lower", "col_upper")
            self.col_lower[cols], self.col_upper[cols] = lower, upper
            self.h.changeColsBounds(len(cols), cols, lower.astype(float), upper.astype(float))

    @contextmanager
    def changed(
        self,
        rows: Mapping[int, tuple[float, float]] | None = None,
        cols: Mapping[int, tuple[float, float]] | None = None,
    ) -> Iterator[None]:
        """Change row and column bounds for the duration of the block, then restore them."""
        saved_rows = {r: self.row_bounds(r) for r in rows or {}}
        saved_cols = {j: self.col_bounds(j) for j in cols or {}}
        try:
            for r, (lower, upper) in (rows or {}).items():
                self.set_row_bounds(r, lower, upper)
            for j, (lower, upper) in (cols or {}).items():
                self.set_col_bounds(j, lower, upper)
            yield
        finally:
            for r, (lower, upper) in saved_rows.items():
                self.set_row_bounds(r, lower, upper)
            for j, (lower, upper) in saved_cols.items():
                self.set_col_bounds(j, lower, upper)

    # ------------------------------------------------------------------ solving

    def solve(
        self,
        *,
        gap: float = 0.0,
        time_limit_s: float = 60.0,
        start: np.ndarray | None = None,
        presolve: bool = True,
        stop_at: float | None = None,
        stop_gap: float | None = None,
        max_nodes: int | None = None,
        enumeration: bool = True,
    ) -> Resolved:
        """Solve the model as it stands now; a MILP from `start` when given, else an LP.

        `presolve=False` for a model whose free part is small: HiGHS's MIP presolve does not
        heed the time limit, and on a model with most columns fixed it can run for minutes.
        `stop_at`: a MIP stops as soon as it holds a plan worth at least this much, or, once
        its bound shows that no plan is, as soon as its plan is within `stop_gap` (relative;
        default `gap`) of that bound. `max_nodes`: a MIP stops after this many branch-and-bound
        nodes, a limit that, unlike the time limit, gives the same result on every run.
        `enumeration=False` leaves presolve's enumeration out (`highs_options.ENUMERATION_OFF`):
        for a re-solve that must end on time more than it must be quick."""
        h = self.h
        h.setOptionValue("presolve", "on" if presolve else "off")
        presolve_rules(h, enumeration)
        h.setOptionValue("time_limit", max(0.01, float(time_limit_s)))
        self._deadline = time.monotonic() + max(0.01, float(time_limit_s))
        self._stop_at = float("inf") if stop_at is None else float(stop_at)
        self._stop_gap = float(gap if stop_gap is None else stop_gap)
        if not self.relaxed:
            h.setOptionValue("mip_rel_gap", float(gap))
            h.setOptionValue("mip_max_nodes", _NO_NODE_LIMIT if max_nodes is None else max_nodes)
            if start is not None and len(start) == h.getNumCol():
                h.setSolution(
                    len(start), np.arange(len(start), dtype=np.int32), start.astype(float)
                )
        self._enough = False
        h.run()
        result = self._read()
        if h.getModelStatus() in _CLOCK_STOPS and not self._enough:
            result = dataclasses.replace(result, stopped_by_clock=True)
        if not self.relaxed and self._stale(result):
            # HiGHS can report the optimum's objective yet hand back the columns of the start
            # (seen when presolve settles the model outright): solve again without any start.
            h.clearSolver()
            h.run()
            result = self._read()
            if self._stale(result):
                result = Resolved("error")
        self._deadline = float("inf")
        self._stop_at = float("inf")
        return result

    def _stale(self, result: Resolved) -> bool:
        if result.values is None or result.objective is None:
            return False
        value = float(self.costs @ result.values)
        return abs(value - result.objective) > 1e-6 * max(1.0, abs(result.objective))

    def _read(self) -> Resolved:
        h = self.h
        kinds = highspy.HighsModelStatus
        status = h.getModelStatus()
        info = h.getInfo()
        if status in (kinds.kInfeasible, kinds.kUnboundedOrInfeasible):
            return Resolved("infeasible")
        if status == kinds.kModelEmpty:
            return Resolved("optimal", 0.0, np.zeros(h.getNumCol()), 0.0)
        if info.primal_solution_status != 2:  # no feasible solution at hand
            return Resolved("error")
        solution = h.getSolution()
        values = np.asarray(solution.col_value, dtype=float)
        objective = float(info.objective_function_value)
        if self.relaxed:
            if status != kinds.kOptimal:
                return Resolved("error")
            return Resolved(
                "optimal",
                objective,
                values,
                objective,
                np.asarray(solution.row_dual, dtype=float),
                np.asarray(solution.col_dual, dtype=float),
            )
        bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else objective
        return Resolved(
            "optimal" if status == kinds.kOptimal else "feasible", objective, values, bound
        )


def enough(found: float, bound: float, stop_at: float, stop_gap: float) -> bool:
    """Whether a MIP told to stop at a plan worth `stop_at` holds one (worth `found`), or can
    no longer find one and is within `stop_gap` of its own `bound`. Without a plan yet HiGHS
    reports an infinite primal bound: never enough."""
    if stop_at >= INF or abs(found) >= INF:
        return False
    if found >= stop_at:
        return True
    out_of_reach = abs(bound) < INF and bound < stop_at
    return out_of_reach and bound - found <= stop_gap * max(1.0, abs(found))


def _read_only(values: np.ndarray) -> np.ndarray:
    view = values.view()
    view.flags.writeable = False
    return view
