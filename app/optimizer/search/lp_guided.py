"""The relaxation first: a bound, a plan read from it, and the decisions it rules out.

The LP relaxation of our model solves in a fraction of the MIP's time and already says most of
the answer: a few hundred candidates carry the whole relaxed plan, and the candidates it prices
far below zero cannot be in any plan worth having. So, before the full MIP:

1. the LP gives an upper bound on every plan;
2. a small MIP over the candidates the LP uses or prices near zero gives a plan, usually within
   a fraction of a percent of that bound (a relaxation-induced neighbourhood search);
3. when plan and bound are already within the requested gap, that is the answer, proven;
4. otherwise every candidate whose reduced cost exceeds the bound's slack is fixed: funding it
   (or dropping it) would cost more than the plan can gain, so no better plan has it.

What is fixed here is exact: the MIP that follows finds the same optimum, in a smaller space.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from app.optimizer.backends.resolve import Resolver
from app.optimizer.model.build import Model

# The guided MIP keeps every candidate the relaxation funds (even fractionally) plus this many
# times as many of the best-priced others: room to swap, small enough to solve in a moment.
NEIGHBOURHOOD_FACTOR = 2
NEIGHBOURHOOD_MINIMUM = 200


@dataclass(frozen=True)
class Relaxation:
    status: str  # "optimal", "infeasible" or "unknown" (stopped, or numerically in doubt)
    bound: float | None = None
    values: np.ndarray | None = None
    reduced_costs: np.ndarray | None = None
    row_duals: np.ndarray | None = None
    # The same LP with the runs that no plan takes left out: a bound only, often lower (the
    # plain LP funds parts of runs too dear to take whole). Values, reduced costs and duals
    # stay the plain LP's: the Lagrangian bound starts from them as each neighbourhood's own LP.
    bound_without_out: float | None = None
    seconds: float | None = None  # the plain LP's own time, without the second bound's


def relax(
    model: Model,
    deadline: float,
    cancel: threading.Event | None,
    presolve: bool = True,
    out: np.ndarray | None = None,
) -> Relaxation:
    """The LP relaxation; then, from its basis, the same LP with the candidates `out` at 0."""
    began = time.monotonic()
    lp = Resolver(model, relaxed=True, cancel=cancel)
    result = lp.solve(time_limit_s=max(0.01, deadline - time.monotonic()), presolve=presolve)
    seconds = time.monotonic() - began
    without_out = None
    if result.status == "optimal" and out is not None and out.any():
        with lp.cols_fixed(np.flatnonzero(out), 0.0):
            tighter = lp.solve(
                time_limit_s=max(0.01, deadline - time.monotonic()), presolve=presolve
            )
        if tighter.status == "optimal":
            without_out = tighter.objective
    lp.close()
    if result.status == "infeasible":
        return Relaxation("infeasible", seconds=seconds)
    if result.status != "optimal" or result.values is None:
        return Relaxation("unknown", seconds=seconds)
    # A model with nothing to decide comes back without duals: every reduced cost is 0.
    reduced = np.zeros(len(result.values)) if result.col_dual is None else result.col_dual
    duals = np.zeros(model.n_rows) if result.row_dual is None else result.row_dual
    return Relaxation(
        "optimal", result.objective, result.values, reduced, duals, without_out, seconds
    )


def guided_plan(
    model: Model,
    relaxation: Relaxation,
    mip_gap: float,
    time_limit_s: float,
    cancel: threading.Event | None,
    start: np.ndarray | None = None,
    candidates: np.ndarray | None = None,
    good_enough: float | None = None,
    settle_gap: float | None = None,
    seed: int = 0,
) -> np.ndarray | None:
    """The best plan among `candidates` (a mask; by default those the relaxation points at),
    as a full column vector, starting from `start` (whose candidates are kept too), within
    `mip_gap` of the best there. It stops at a plan worth `good_enough` (one the bound already
    proves), or, when its own bound shows there is none, at one within `settle_gap`."""
    n = model.n_candidates
    keep = _pointed_at(relaxation, n) if candidates is None else candidates[:n].copy()
    if start is not None:
        keep |= start[:n] > 0.5
    mip = Resolver(model, cancel=cancel, seed=seed)
    with mip.cols_fixed(np.flatnonzero(~keep), 0.0):
        result = mip.solve(
            gap=mip_gap,
            time_limit_s=time_limit_s,
            start=start,
            stop_at=good_enough,
            stop_gap=settle_gap,
        )
    mip.close()
    return result.values if result.has_plan else None


def _pointed_at(relaxation: Relaxation, n: int) -> np.ndarray:
    """The candidates the relaxation funds, and as many again of the best-priced others."""
    assert relaxation.values is not None
    assert relaxation.reduced_costs is not None
    used = relaxation.values[:n] > 1e-6
    others = np.flatnonzero(~used)
    extra = max(NEIGHBOURHOOD_MINIMUM, NEIGHBOURHOOD_FACTOR * int(used.sum()))
    if len(others) > extra:
        # Reduced costs are ≤ 0 for candidates the relaxation leaves at 0: the nearest to 0
        # are the ones it would take next.
        best = np.argpartition(-relaxation.reduced_costs[others], extra)[:extra]
        others = others[best]
    keep = used.copy()
    keep[others] = True
    return keep


def fixings(
    relaxation: Relaxation, n_candidates: int, incumbent: float
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates that no plan better than `incumbent` funds, and those every such plan funds.

    For a maximisation LP with optimum U and reduced cost r_j, forcing x_j away from its LP
    value costs at least |r_j|: every plan with x_j so moved is worth at most U − |r_j|.
    """
    assert relaxation.bound is not None
    assert relaxation.values is not None
    assert relaxation.reduced_costs is not None
    return reduced_cost_fixings(
        relaxation.values[:n_candidates],
        relaxation.reduced_costs[:n_candidates],
        relaxation.bound,
        incumbent,
    )


def reduced_cost_fixings(
    values: np.ndarray,
    reduced: np.ndarray,
    bound: float,
    incumbent: float,
    excess: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The columns at a bound of an LP plan whose reduced costs say that moving them costs more
    than `bound − incumbent`; `excess` (per column) is what the bound may still hold above the
    LP's own optimum and is taken off that cost."""
    slack = bound - incumbent
    margin = 1e-6 * max(1.0, abs(bound)) + 1e-9
    loss = np.abs(reduced) if excess is None else np.abs(reduced) - excess
    to_zero = np.flatnonzero((values < 1e-9) & (reduced < 0) & (loss > slack + margin))
    to_one = np.flatnonzero((values > 1 - 1e-9) & (reduced > 0) & (loss > slack + margin))
    return to_zero, to_one
