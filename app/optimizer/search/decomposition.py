"""A bound that sees each neighbourhood whole, at the best prices: the Lagrangian dual of the
coupling rows, found by column generation (Dantzig–Wolfe).

For any prices y on the coupling rows (see `blocks`), every plan is worth at most

    L(y) = Σ_b z_b(y) + Σ_r max{ y_r s : s within row r's bounds } + the shared columns' best,

where z_b(y) is neighbourhood b's best plan at the priced costs (c − yA)_b (`pricing`). The
relaxation's duals give one such bound; the best y gives the tightest, and it is found by a
master LP over whole neighbourhood plans: choose a convex combination of known plans per
neighbourhood subject to the coupling rows. Its duals are the next prices; each neighbourhood's
best plan at those prices joins the master when it is worth more than the master pays for it.
When none is, the master's value equals the bound: the Lagrangian dual is solved. On the
benchmark's scenarios this bound sits about 0.1 % above the optimum where the relaxation's sits
0.65 % above, after four or five rounds.

Prices are smoothed toward the best ones so far (Wentges): the master's first duals, with only a
few plans known, swing far, and a bound at them is worthless.

What the bound leaves behind is used five times: the proof itself; the neighbourhood plans it
generated, one of which per neighbourhood makes a whole plan (`plans`, see `master_plan`), and
whose candidates make a small MIP that finds good plans (`support`); each
neighbourhood's shortfall at the best prices, which picks where the exchange search looks
(`exchange`); and per candidate, how much the bound falls when it is moved away from its place
in the neighbourhood's LP plan, which fixes candidates no better plan can have (`fixings`). Its
cuts, (c − yA)_b · x_b ≤ z_b(y), hold for every plan and go into the full MIP.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import highspy
import numpy as np

from app.optimizer.backends.highs_options import quiet_highs
from app.optimizer.model.blocks import Blocks, Cut
from app.optimizer.model.matrix import INF, ModelArrays
from app.optimizer.search.lp_guided import reduced_cost_fixings
from app.optimizer.search.master_plan import master_rows, plan_columns, plan_key
from app.optimizer.search.pricing import Priced, Pricer
from app.optimizer.tuning import TUNING, Tuning

# The master has converged when its value is this close (relative) to the bound, or within
# `Tuning.dual_gap_share` of the gap the solve asks for (the smoothing weights are tuned
# numbers too: `app.optimizer.tuning`).
CONVERGED = 1e-6
# A cut is relaxed by this much (relative to the neighbourhood's optimum, plus an absolute
# part) so that HiGHS's tolerances never make it cut off a plan that meets every rule.
_CUT_SLACK_REL = 1e-7
_CUT_SLACK_ABS = 1e-6
# A priced cost this small against the terms it was computed from (relative) is rounding:
# cancellation leaves some ten times the machine epsilon of the largest term.
_ROUNDING = 1e-12
# The price of an artificial column, per unit of the largest objective coefficient.
ARTIFICIAL_PRICE = 100.0


@dataclass(frozen=True)
class LagrangianBound:
    bound: float  # bounds every plan
    cuts: list[Cut]  # at the best prices, where a neighbourhood's LP plan is worth more
    support: np.ndarray  # bool per column: funded in some neighbourhood plan the master knows
    lp_columns: np.ndarray  # per column: the neighbourhoods' LP plan at the best prices
    lp_reduced: np.ndarray  # per column: its reduced cost there (maximisation)
    excess: np.ndarray  # per column: its neighbourhood's LP optimum minus its best plan's
    blocks: Blocks
    priced_costs: np.ndarray  # per column: c − yA at the best prices y
    block_upper: np.ndarray  # per neighbourhood: its best plan's worth there, z_b(y), or more
    plans: list[tuple[int, np.ndarray]]  # (neighbourhood, values over its columns): the master's


def lagrangian_bound(
    arrays: ModelArrays,
    candidate_block: np.ndarray,
    relaxation: tuple[np.ndarray, np.ndarray, np.ndarray],
    plans: list[np.ndarray],
    deadline: float,
    good_enough: float | None = None,
    cancel: threading.Event | None = None,
    mip_gap: float = 0.0,
    workers: int = 1,
    tuning: Tuning = TUNING,
) -> LagrangianBound | None:
    """The Lagrangian bound, starting from the relaxation's (values, reduced costs, row
    duals) and the feasible `plans` (full column vectors; none is needed: the master starts
    feasible through its artificial columns, see `_Master`). Stops
    at `deadline`, on `cancel`, once the bound is at most `good_enough`, or when the master is
    within a small share of `mip_gap` of it. `workers` neighbourhood MIPs run at once. None
    when not even the first prices could be priced in time."""
    blocks = Blocks.of(arrays, candidate_block)
    if blocks.count == 0:
        return None
    pricer = Pricer(blocks, workers)
    try:
        return _column_generation(
            blocks,
            pricer,
            relaxation,
            plans,
            deadline,
            good_enough,
            cancel,
            max(CONVERGED, tuning.dual_gap_share * mip_gap),
            tuning,
        )
    finally:
        pricer.close()


@dataclass
class _Best:
    bound: float
    prices: np.ndarray
    priced_costs: np.ndarray
    priced: Priced


def _column_generation(
    blocks: Blocks,
    pricer: Pricer,
    relaxation: tuple[np.ndarray, np.ndarray, np.ndarray],
    plans: list[np.ndarray],
    deadline: float,
    good_enough: float | None,
    cancel: threading.Event | None,
    tolerance: float,
    tuning: Tuning,
) -> LagrangianBound | None:
    master = _Master(blocks)
    best: _Best | None = None
    lp_values, lp_reduced, row_duals = relaxation
    start_prices = row_duals[blocks.coupling]
    prices = _valid(blocks, start_prices)
    # At the relaxation's own duals its plan is each neighbourhood's LP optimum (unless a
    # price had to change sign to be valid).
    known = (lp_values, lp_reduced) if np.array_equal(prices, start_prices) else None
    rounds, smoothing = 0, tuning.smoothing
    try:
        for plan in plans:
            master.add([(b, plan[cols]) for b, cols in enumerate(blocks.columns)])
        while time.monotonic() < deadline and not (cancel is not None and cancel.is_set()):
            costs, constant = _priced(blocks, prices)
            priced = pricer.price(costs, deadline, known) if np.isfinite(constant) else None
            known = None
            rounds += 1
            added = 0
            if priced is not None:
                bound = constant + float(priced.upper.sum())
                if best is None or bound < best.bound:
                    best = _Best(bound, prices, costs, priced)
                added = master.add(
                    [(b, plan) for b, plan in enumerate(priced.plans) if plan is not None]
                )
            if best is None:
                return None
            if good_enough is not None and best.bound <= good_enough:
                break
            if added == 0:
                if smoothing == 0.0 and rounds > 1:
                    break  # the master's own prices found nothing new: nothing more to gain
                smoothing = 0.0  # the smoothed prices found nothing: use the master's own
            value = master.solve(deadline)
            if value is None:
                break
            if best.bound - value <= tolerance * max(1.0, abs(best.bound)):
                break  # converged: no plan the master lacks is worth more
            duals = _valid(blocks, master.duals)
            weight = tuning.first_smoothing if rounds == 1 and smoothing > 0 else smoothing
            prices = weight * best.prices + (1.0 - weight) * duals
    finally:
        master.close()
    if best is None:
        return None
    return _result(blocks, best, master.support, master.plans)


def _valid(blocks: Blocks, prices: np.ndarray) -> np.ndarray:
    """Prices with the sign each row's bounds allow (a price on a side without a bound would
    make the bound infinite); any prices give a valid bound."""
    lower, upper = blocks.coupling_lower, blocks.coupling_upper
    prices = np.where(upper >= INF, np.minimum(prices, 0.0), prices)
    return np.where(lower <= -INF, np.maximum(prices, 0.0), prices)


def _priced(blocks: Blocks, prices: np.ndarray) -> tuple[np.ndarray, float]:
    """The priced costs c − yA, and the bound's part outside the neighbourhoods."""
    arrays = blocks.arrays
    costs = arrays.costs - blocks.coupling_matrix.T @ prices
    lower, upper = blocks.coupling_lower, blocks.coupling_upper
    rows = np.where(prices > 0, prices * np.where(upper >= INF, 0.0, upper), 0.0)
    rows += np.where(prices < 0, prices * np.where(lower <= -INF, 0.0, lower), 0.0)
    shared = costs[blocks.shared]
    # What is left of a priced cost after cancellation is rounding, not worth: the master's
    # duals hold its artificial columns' steep price until it knows plans that meet the rules
    # (no greedy plan), and at prices near 300,000 the total spend's priced cost came out at
    # 1.5e-11 (`mutated` seed 183). Taken for a worth without end, it made the bound infinite
    # and stopped the Lagrangian bound where it was: at the relaxation's on seed 12 (267,039,
    # where it now goes on to 221,728) and on seed 94 (142,934 over an empty optimum it now
    # proves).
    terms = np.abs(arrays.costs[blocks.shared]) + np.abs(
        blocks.coupling_matrix[:, blocks.shared]
    ).T @ np.abs(prices)
    shared = np.where(np.abs(shared) <= _ROUNDING * terms, 0.0, shared)
    col_upper, col_lower = arrays.col_upper[blocks.shared], arrays.col_lower[blocks.shared]
    if np.any((shared > 1e-12) & (col_upper >= INF)) or np.any(
        (shared < -1e-12) & (col_lower <= -INF)
    ):
        return costs, np.inf
    at = np.where(shared > 0, col_upper, np.where(shared < 0, col_lower, 0.0))
    columns = shared * np.where(np.abs(at) >= INF, 0.0, at)
    return costs, float(rows.sum() + columns.sum())


def _result(
    blocks: Blocks, best: _Best, support: np.ndarray, plans: list[tuple[int, np.ndarray]]
) -> LagrangianBound:
    priced = best.priced
    excess_per_block = np.maximum(0.0, priced.lp_value - priced.upper)
    excess = np.zeros(blocks.arrays.n_cols)
    local = blocks.of_column >= 0
    excess[local] = excess_per_block[blocks.of_column[local]]
    cuts = []
    for b in np.flatnonzero(excess_per_block > 0).tolist():
        cols = blocks.columns[b]
        coefficients = best.priced_costs[cols]
        keep = coefficients != 0
        upper = float(priced.upper[b])
        slack = _CUT_SLACK_REL * abs(upper) + _CUT_SLACK_ABS
        cuts.append(Cut(cols[keep].astype(np.int32), coefficients[keep], upper + slack))
    return LagrangianBound(
        best.bound,
        cuts,
        support,
        priced.lp_columns,
        priced.lp_reduced,
        excess,
        blocks,
        best.priced_costs,
        priced.upper,
        plans,
    )


class _Master:
    """The master LP: per neighbourhood a convex combination of its known plans, the coupling
    rows over them, and the shared columns as they are."""

    def __init__(self, blocks: Blocks):
        self.blocks = blocks
        self.h = h = quiet_highs()
        master_rows(h, blocks)
        self._add_artificials()
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.seen: set[tuple[int, bytes]] = set()
        self.plans: list[tuple[int, np.ndarray]] = []
        self.support = np.zeros(blocks.arrays.n_cols, dtype=bool)
        self.duals = np.zeros(len(blocks.coupling))

    def _add_artificials(self) -> None:
        """A column per bounded side of each coupling row that moves the row's activity at a
        steep price: the master is feasible from the first round even when no plan meeting
        every rule is known yet (the greedy found none), and its duals stay finite. The price
        leaves the master's plans as soon as they can meet the rows; it never enters the
        bound, which comes from pricing alone."""
        arrays, blocks = self.blocks.arrays, self.blocks
        penalty = ARTIFICIAL_PRICE * max(1.0, float(np.abs(arrays.costs).max(initial=0.0)))
        lower = blocks.coupling_lower > -INF
        upper = blocks.coupling_upper < INF
        rows = np.concatenate([np.flatnonzero(lower), np.flatnonzero(upper)]).astype(np.int32)
        signs = np.concatenate([np.ones(int(lower.sum())), -np.ones(int(upper.sum()))])
        count = len(rows)
        if count:
            self.h.addCols(
                count,
                np.full(count, -penalty),
                np.zeros(count),
                np.full(count, INF),
                count,
                np.arange(count, dtype=np.int32),
                rows,
                signs,
            )

    def add(self, plans: list[tuple[int, np.ndarray]]) -> int:
        """Adds each (neighbourhood, plan) the master does not have yet; how many were new."""
        blocks = self.blocks
        new = []
        for b, plan in plans:
            key = plan_key(b, plan)
            if key not in self.seen:
                self.seen.add(key)
                new.append((b, plan))
        if not new:
            return 0
        self.plans += new
        columns = np.concatenate([blocks.columns[b] for b, _ in new])
        values = np.concatenate([plan for _, plan in new])
        funded = blocks.arrays.integer[columns] & (values > 0.5)
        self.support[columns[funded]] = True
        worth, matrix = plan_columns(blocks, new, self.h.getNumRow())
        self.h.addCols(
            len(new),
            worth,
            np.zeros(len(new)),
            np.full(len(new), INF),
            matrix.nnz,
            matrix.indptr[:-1].astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data,
        )
        return len(new)

    def solve(self, deadline: float) -> float | None:
        """The master's optimum (its duals kept), or None when it has none in time."""
        self.h.setOptionValue("time_limit", max(0.01, deadline - time.monotonic()))
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        row_dual = np.asarray(self.h.getSolution().row_dual)
        self.duals = row_dual[: len(self.blocks.coupling)]
        return float(self.h.getInfo().objective_function_value)

    def close(self) -> None:
        self.h.clear()


def fixings(
    found: LagrangianBound, n_candidates: int, incumbent: float
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates that no plan better than `incumbent` funds, and those every such plan funds.

    Moving candidate j of neighbourhood b away from its value in b's LP plan at the best prices
    costs that LP at least |d_j| (its reduced cost), so b's best plan with j moved is worth at
    most LP_b − |d_j|, and every plan with j moved at most bound − |d_j| + (LP_b − z_b).
    """
    return reduced_cost_fixings(
        found.lp_columns[:n_candidates],
        found.lp_reduced[:n_candidates],
        found.bound,
        incumbent,
        found.excess[:n_candidates],
    )
