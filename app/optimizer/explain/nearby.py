"""Re-solves near the plan, for scenarios too large to re-solve outright in a share of time.

A re-solve of the whole MILP at corporation size takes about as long as the solve itself, and
one with a pair locked in often finds no plan at all in a few seconds (the incumbent breaks the
lock, so there is no start). Above `NEARBY_ABOVE` candidates a re-solve therefore first solves
a sub-MIP: every unfunded candidate outside a small `free` set fixed at 0, the funded runs free
to leave. Any plan of the sub-MIP is a plan of the full problem, so it starts the full
re-solve, which can only improve on it; what is reported is exact when the full re-solve proves
optimality, and otherwise a plan that exists (so a gain at least, or a cost at most). Both run
without HiGHS's MIP presolve, which at this size has been seen to run for many minutes on a
changed model without heeding the time limit.
"""

from __future__ import annotations

import time

import numpy as np

from app.optimizer.backends.resolve import Resolved
from app.optimizer.explain.context import Context
from app.optimizer.explain.marginal import forcing_estimates

NEARBY_ABOVE = 3000  # candidates
NEARBY_FREE = 300  # unfunded candidates set free for a raised line


def resolve_near_plan(
    ctx: Context, free: np.ndarray, seconds: float, gap: float, start: np.ndarray | None
) -> Resolved:
    """Re-solve the MILP as the caller changed it, within `seconds`."""
    milp = ctx.resolver("milp")
    if ctx.inst.n_candidates <= NEARBY_ABOVE:
        return milp.solve(gap=gap, time_limit_s=max(0.05, seconds), start=start)
    began = time.monotonic()
    fixed = np.setdiff1d(np.flatnonzero(ctx.chosen == 0), free)
    with milp.cols_fixed(fixed, 0.0):
        near = milp.solve(gap=0.0, time_limit_s=max(0.05, seconds / 2), start=start, presolve=False)
    left = max(0.05, seconds - (time.monotonic() - began))
    full = milp.solve(
        gap=gap,
        time_limit_s=left,
        start=near.values if near.has_plan else start,
        presolve=False,
    )
    if full.has_plan and (
        not near.has_plan or (full.objective or 0.0) >= (near.objective or 0.0) - 1e-9
    ):
        return full
    if near.has_plan:
        return Resolved("feasible", near.objective, near.values, full.bound)
    return full


def best_for_line(ctx: Context, members: np.ndarray) -> np.ndarray:
    """The unfunded candidates on a line that the LP relaxation finds cheapest to add."""

    unfunded = members[ctx.chosen[members] == 0]
    estimates = forcing_estimates(ctx)
    if estimates is None or unfunded.size <= NEARBY_FREE:
        return unfunded
    return unfunded[np.argsort(estimates[unfunded], kind="stable")[:NEARBY_FREE]]
