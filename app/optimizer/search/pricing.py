"""Each neighbourhood's best plan at given prices: the pricing step of the Lagrangian bound.

With the coupling rows (budgets, partners, staff, shares, `max_total`) priced at y, the model
falls apart into one small problem per neighbourhood b:

    z_b(y) = max { (c − yA)_b · x_b : x_b meets b's own rows, integers integral }.

Solving 300 small MIPs for every y would cost seconds, so the neighbourhoods are first solved
together as one LP (their rows only, which HiGHS re-solves from the last basis when only the
prices move). Where that LP's plan is integral it is the neighbourhood's best plan; only where
it is fractional (a cap per regulated home filled with part of a run) is the neighbourhood's
MIP solved, with its own HiGHS instance kept between rounds.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from app.optimizer.backends.highs_options import quiet_highs, without_heuristics
from app.optimizer.model.blocks import Blocks
from app.optimizer.model.matrix import INF, ModelArrays

_FRACTIONAL = 1e-6
_EMPTY = np.zeros(0, np.int32)


@dataclass(frozen=True)
class Priced:
    """Every neighbourhood at one set of prices."""

    upper: np.ndarray  # per neighbourhood: an upper bound on z_b (exact where its LP
    # plan is integral or its MIP was solved to the end)
    plans: list[np.ndarray | None]  # per neighbourhood: its best plan found (over its columns)
    lp_value: np.ndarray  # per neighbourhood: its LP optimum
    lp_columns: np.ndarray  # per column: the neighbourhoods' LP plan (0 for shared columns)
    lp_reduced: np.ndarray  # per column: that LP's reduced costs (maximisation)


class Pricer:
    """Solves every neighbourhood at the prices given, keeping HiGHS instances between calls."""

    def __init__(self, blocks: Blocks, workers: int = 1):
        self.blocks = blocks
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        arrays = blocks.arrays
        self.local_columns = np.flatnonzero(blocks.of_column >= 0)
        local_rows = np.setdiff1d(np.arange(arrays.n_rows), blocks.coupling)
        self._lp = highs_over(arrays, blocks.matrix, self.local_columns, local_rows, integer=False)
        self._mips: dict[int, highspy.Highs] = {}
        self._positions = np.arange(len(self.local_columns), dtype=np.int32)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        for h in [self._lp, *self._mips.values()]:
            h.clear()
        self._mips.clear()

    def price(
        self,
        priced_costs: np.ndarray,
        deadline: float,
        lp_plan: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> Priced | None:
        """Every neighbourhood's best plan at `priced_costs` (c − yA), or None when time ran
        out or HiGHS could not say. `lp_plan` (values and reduced costs per column) is the
        neighbourhoods' LP optimum at these prices when it is known already: the relaxation's
        own plan is, at the relaxation's duals (complementary slackness holds block by block),
        and the LP need not be solved from scratch for it."""
        arrays, blocks = self.blocks.arrays, self.blocks
        if lp_plan is None:
            lp_plan = self._solve_lp(priced_costs, deadline)
            if lp_plan is None:
                return None
        lp_columns, lp_reduced = lp_plan
        local = self.local_columns
        lp_value = np.bincount(
            blocks.of_column[local],
            weights=priced_costs[local] * lp_columns[local],
            minlength=blocks.count,
        )
        fractional = arrays.integer & (np.abs(lp_columns - np.rint(lp_columns)) > _FRACTIONAL)
        to_solve = np.unique(blocks.of_column[fractional]).tolist()
        solved = self._block_mips(to_solve, priced_costs, deadline)
        if solved is None:
            return None
        upper = lp_value.copy()
        plans: list[np.ndarray | None] = []
        for b, cols in enumerate(blocks.columns):
            if b not in solved:
                plans.append(lp_columns[cols])
                continue
            bound, plan = solved[b]
            upper[b] = min(bound, lp_value[b])
            plans.append(plan)
        return Priced(upper, plans, lp_value, lp_columns, lp_reduced)

    def _block_mips(
        self, to_solve: list[int], priced_costs: np.ndarray, deadline: float
    ) -> dict[int, tuple[float, np.ndarray | None]] | None:
        """The MIPs of the neighbourhoods `to_solve`, spread over the workers (each
        neighbourhood has its own HiGHS instance, and HiGHS lets go of Python's lock while it
        runs); None when time ran out or HiGHS could not say."""
        columns = self.blocks.columns

        def solve_share(
            share: list[int],
        ) -> list[tuple[int, tuple[float, np.ndarray | None]]] | None:
            found = []
            for b in share:
                if time.monotonic() >= deadline:
                    return None
                result = self._block_mip(b, priced_costs[columns[b]], deadline)
                if result is None:
                    return None
                found.append((b, result))
            return found

        if self.workers < 2 or len(to_solve) < 2:
            shares = [solve_share(to_solve)]
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="pricing")
            # Every worker-th neighbourhood to each worker: neighbouring codes are alike in
            # size, so the shares take about as long.
            parts = [to_solve[w :: self.workers] for w in range(self.workers)]
            shares = list(self._pool.map(solve_share, parts))
        solved: dict[int, tuple[float, np.ndarray | None]] = {}
        for share in shares:
            if share is None:
                return None
            solved.update(share)
        return solved

    def _solve_lp(
        self, priced_costs: np.ndarray, deadline: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The neighbourhoods' LP at these prices (values and reduced costs per column), from
        the last basis: only the costs change between rounds."""
        lp, local = self._lp, self.local_columns
        lp.changeColsCost(len(local), self._positions, priced_costs[local])
        lp.setOptionValue("time_limit", max(0.01, deadline - time.monotonic()))
        lp.run()
        if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = lp.getSolution()
        n_cols = self.blocks.arrays.n_cols
        lp_columns, lp_reduced = np.zeros(n_cols), np.zeros(n_cols)
        lp_columns[local] = np.asarray(solution.col_value)
        lp_reduced[local] = np.asarray(solution.col_dual)
        return lp_columns, lp_reduced

    def _block_mip(
        self, b: int, costs: np.ndarray, deadline: float
    ) -> tuple[float, np.ndarray | None] | None:
        h = self._mips.get(b)
        if h is None:
            blocks = self.blocks
            h = highs_over(blocks.arrays, blocks.matrix, blocks.columns[b], blocks.rows[b], True)
            # A neighbourhood's MIP is small: presolve costs more than it saves (measured: half
            # the time without it at 300 neighbourhoods).
            h.setOptionValue("presolve", "off")
            h.setOptionValue("mip_rel_gap", 1e-7)
            # Nor do its heuristics pay: the root and a few nodes settle it, and without them
            # a neighbourhood's MIP takes 3.6 ms instead of 6.4 (300 neighbourhoods, seed 5,
            # the same bound).
            without_heuristics(h)

            self._mips[b] = h
        h.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
        h.setOptionValue("time_limit", max(0.01, deadline - time.monotonic()))
        h.run()
        info = h.getInfo()
        bound = float(info.mip_dual_bound)
        if not np.isfinite(bound) or abs(bound) >= INF:
            return None
        has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
        plan = np.asarray(h.getSolution().col_value) if has_plan else None
        return bound, plan


def highs_over(
    arrays: ModelArrays,
    matrix: sp.csr_matrix,
    cols: np.ndarray,
    rows: np.ndarray,
    integer: bool,
) -> highspy.Highs:
    """A quiet HiGHS instance of the model's `rows` over its `cols` (maximisation, costs 0)."""
    h = quiet_highs()
    h.addCols(
        len(cols),
        np.zeros(len(cols)),
        arrays.col_lower[cols],
        arrays.col_upper[cols],
        0,
        _EMPTY,
        _EMPTY,
        np.zeros(0),
    )
    if integer:
        positions = np.flatnonzero(arrays.integer[cols]).astype(np.int32)
        if len(positions):
            h.changeColsIntegrality(len(positions), positions, np.ones(len(positions), np.uint8))
    if len(rows):
        sub = matrix[rows][:, cols].tocsr()
        h.addRows(
            len(rows),
            arrays.row_lower[rows],
            arrays.row_upper[rows],
            sub.nnz,
            sub.indptr[:-1].astype(np.int32),
            sub.indices.astype(np.int32),
            sub.data,
        )
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    return h
