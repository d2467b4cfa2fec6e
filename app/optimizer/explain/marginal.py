"""LP-relaxation estimates: the marginal value of each line, and what forcing a candidate costs.

The relaxation: the funded runs fixed at x = 1, every other candidate relaxed to 0 ≤ x ≤ 1
(0 when a lock excludes it), pieces and totals as in the MILP. Its value V(b) is concave and
piecewise linear in a line's limit b, and the estimate is its right-hand derivative
V'(b⁺) = lim_{h↓0} (V(b+h) − V(b)) / h: what the next euro (or unit) is worth at the margin,
positive when more of the line is worth more.

The simplex dual y of the row is a supergradient: V'(b⁺) ≤ y ≤ V'(b⁻), equal to both when the
optimum is not degenerate. Every finite difference from the right is a lower bound on V'(b⁺)
that tightens as h shrinks, and two of them that agree prove V linear on [b, b+h]. So y is
reported when the finite difference at h agrees with it; otherwise h is shrunk until two
consecutive finite differences agree (when the explanation is out of time, y is reported
unchecked). The result does not depend on which LP solver produced
the dual, so it is the same whichever MILP solver the scenario asked for (it is always
computed with HiGHS's simplex).

For a candidate c with x(c) = 0 in that relaxation, its reduced cost d(c) ≤ 0 is the first-order
change in V when x(c) is pushed to 1: −d(c) estimates what forcing it in costs.
"""

from __future__ import annotations

import numpy as np

from app.optimizer.backends.resolve import Resolved
from app.optimizer.explain.context import Context
from app.optimizer.problem.lines import Line
from app.schemas.explanation import MarginalEstimate

MARGINAL_KINDS = ("budget", "partner", "resource", "domain_budget", "area_budget")
_AGREE = 1e-9


def fixed_relaxation_within_reach(ctx: Context) -> bool:
    """Whether the relaxation is solved already, or the time left holds solving it."""
    return ctx.fixed_lp is not None or ctx.affords(ctx.remaining())


def fixed_relaxation(ctx: Context) -> Resolved | None:
    """The relaxation at the scenario's limits (solved once, then cached)."""
    if ctx.fixed_lp is None:
        if not fixed_relaxation_within_reach(ctx):
            ctx.stopped_by_clock.add("marginal estimates")
            return None  # (not kept: a later part may have the time)
        ctx.fixed_lp = ctx.resolver("fixed").solve(time_limit_s=max(0.05, ctx.remaining()))
        if ctx.fixed_lp.stopped_by_clock:
            ctx.stopped_by_clock.add("marginal estimates")
    return ctx.fixed_lp if ctx.fixed_lp.status == "optimal" else None


def marginal_estimates(ctx: Context) -> list[MarginalEstimate]:
    base = fixed_relaxation(ctx)
    if base is None or base.row_dual is None or base.objective is None:
        ctx.notes.append("marginal estimates left out: the LP relaxation did not solve")
        return []
    lp = ctx.resolver("fixed")
    out = []
    for line in ctx.lines:
        if line.kind not in MARGINAL_KINDS:
            continue
        rows = lp.rows(line.row_kind)
        value = 0.0
        if rows:
            value = _right_derivative(ctx, rows[0], float(base.row_dual[rows[0]]), base.objective)
        out.append(
            MarginalEstimate(
                line=line.key,
                label=line.label,
                unit=line.unit,
                value_per_unit=round(value / line.scale, 12),
            )
        )
    return out


def _right_derivative(ctx: Context, row: int, dual: float, value: float) -> float:
    """V'(b⁺) in model units (see the module docstring)."""
    lp = ctx.resolver("fixed")
    lower, upper = lp.row_bounds(row)
    h = max(1e-3, 1e-4 * abs(upper))

    def slope(step: float) -> float | None:
        with lp.changed(rows={row: (lower, upper + step)}):
            raised = lp.solve(time_limit_s=max(0.05, ctx.remaining()))
        if raised.objective is None or raised.status != "optimal":
            return None
        return (raised.objective - value) / step

    if ctx.out_of_time():
        ctx.stopped_by_clock.add("marginal estimates")
        return max(dual, 0.0)  # no time to check the dual against a difference
    previous = slope(h)
    if previous is None:
        return max(dual, 0.0)
    if abs(previous - dual) <= _AGREE * max(1.0, abs(dual)) + 1e-9 * max(1.0, abs(value)) / h:
        return max(dual, 0.0)
    for _ in range(6):
        h /= 16.0
        current = slope(h)
        if current is None:
            break
        if abs(current - previous) <= 1e-9 * max(1.0, abs(value)) / h + _AGREE * abs(current):
            return max(current, 0.0)
        previous = current
    return max(previous, 0.0)


def forcing_estimates(ctx: Context) -> np.ndarray | None:
    """(C,) −d(c): the first-order cost of forcing each unfunded candidate in (≥ 0)."""
    base = fixed_relaxation(ctx)
    if base is None or base.col_dual is None:
        return None
    n = ctx.inst.n_candidates
    return np.maximum(-base.col_dual[:n], 0.0)


def line_estimate(estimates: list[MarginalEstimate], line: Line) -> float | None:
    for e in estimates:
        if e.line == line.key:
            return e.value_per_unit
    return None
