"""Re-solves near the plan, for scenarios too large to re-solve outright in a share of time.

A re-solve of the whole MILP at corporation size takes about as long as the solve itself, and
one with a pair locked in often finds no plan at all in a few seconds (the incumbent breaks the
lock, so there is no start). Above `Tuning.nearby_above` candidates a re-solve therefore first
solves a sub-MIP: every unfunded candidate outside a small `free` set fixed at 0, the funded
runs free to leave. Any plan of the sub-MIP is a plan of the full problem, so it starts the
full re-solve, which can only improve on it; what is reported is exact when the full re-solve
proves optimality, and otherwise a plan that exists (so a gain at least, or a cost at most).
Both run without HiGHS's MIP presolve, which at this size has been seen to run for many minutes
on a changed model without heeding the time limit.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from app.optimizer.backends.resolve import Resolved
from app.optimizer.explain.context import Context
from app.optimizer.explain.marginal import forcing_estimates
from app.optimizer.search.master_plan import master_plan, plan_key


def resolve_near_plan(
    ctx: Context,
    free: np.ndarray,
    seconds: float,
    gap: float,
    start: np.ndarray | None,
    max_nodes: int | None = None,
) -> Resolved:
    """Re-solve the MILP as the caller changed it, within `seconds` (and `max_nodes`)."""
    milp = ctx.resolver("milp")
    if ctx.inst.n_candidates <= ctx.tuning.nearby_above:
        return milp.solve(
            gap=gap, time_limit_s=max(0.05, seconds), start=start, max_nodes=max_nodes
        )
    if not ctx.affords(seconds, mip=True):
        return Resolved("error", stopped_by_clock=True)  # as a re-solve stopped before a plan
    began = time.monotonic()
    fixed = np.setdiff1d(np.flatnonzero(ctx.chosen == 0), free)
    with milp.cols_fixed(fixed, 0.0):
        near = milp.solve(
            gap=0.0,
            time_limit_s=max(0.05, seconds / 2),
            start=start,
            presolve=False,
            max_nodes=max_nodes,
        )
    left = max(0.05, seconds - (time.monotonic() - began))
    full = milp.solve(
        gap=gap,
        time_limit_s=left,
        start=near.values if near.has_plan else start,
        presolve=False,
        max_nodes=max_nodes,
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
    if estimates is None or unfunded.size <= ctx.tuning.nearby_free:
        return unfunded
    return unfunded[np.argsort(estimates[unfunded], kind="stable")[: ctx.tuning.nearby_free]]


def raised_master(ctx: Context, row: int, upper: float, seconds: float) -> np.ndarray | None:
    """The best plan, with row `row` raised to `upper`, that takes per neighbourhood either the
    plan's own part or one of the neighbourhood plans the solve's Lagrangian bound generated
    (`master_plan`), or None without those plans, or when the row lies inside one
    neighbourhood. The plan itself is among the choices, so what comes back is worth at least
    as much; at 110 neighbourhoods it takes a tenth of a second, where a re-solve of the whole
    MILP needs seconds to improve on the plan at all."""
    dual = ctx.neighbourhood_plans
    if dual is None:
        return None
    blocks = dual.blocks
    at = np.flatnonzero(blocks.coupling == row)
    if len(at) != 1:
        return None
    row_upper = blocks.arrays.row_upper.copy()
    row_upper[row] = upper
    coupling_upper = blocks.coupling_upper.copy()
    coupling_upper[at[0]] = upper
    raised = dataclasses.replace(
        blocks,
        arrays=dataclasses.replace(blocks.arrays, row_upper=row_upper),
        coupling_upper=coupling_upper,
    )
    own = [(b, np.array(ctx.values[cols], dtype=float)) for b, cols in enumerate(blocks.columns)]
    known = {plan_key(b, plan) for b, plan in dual.plans}
    plans = dual.plans + [(b, plan) for b, plan in own if plan_key(b, plan) not in known]
    until = min(ctx.deadline, time.monotonic() + max(0.01, seconds))
    found = master_plan(raised, plans, ctx.values, until, 0.0, ctx.cancel)
    if time.monotonic() >= until:
        ctx.stopped_by_clock.add("next steps")
    return found
