"""The full MIP's answer read against the stages before it, or the answer without it."""

from __future__ import annotations

import math

import numpy as np

from app.optimizer.backends.outcome import (
    SolveOptions,
    SolveOutcome,
    Status,
    relative_gap,
    stopped_message,
)


def combine(
    outcome: SolveOutcome,
    known_bound: float | None,
    start: np.ndarray | None,
    start_value: float | None,
    fixed: int,
    options: SolveOptions,
    fixed_above: float | None = None,
) -> SolveOutcome:
    """The MIP's answer read against the stages before it.

    With candidates fixed, the MIP speaks only of plans worth more than `fixed_above` (by
    default the start's value): its bound holds for them, and `fixed_above` bounds every other
    plan; "infeasible" means there is none. `known_bound` (the relaxation's, or the
    per-neighbourhood one) bounds every plan.
    """
    above = start_value if fixed_above is None else fixed_above
    if outcome.status == "infeasible":
        if fixed and start is not None and start_value is not None and above is not None:
            within = relative_gap(start_value, above)
            message = "no plan is better than this" if within == 0 else ""
            return SolveOutcome("optimal", start, start_value, above, within, message)
        return outcome
    bound = outcome.bound
    if bound is not None and fixed and above is not None:
        bound = max(bound, above)
    if known_bound is not None:
        bound = known_bound if bound is None else min(bound, known_bound)
    values, value = outcome.values, outcome.objective
    if start is not None and start_value is not None and (value is None or start_value > value):
        values, value = start, start_value
    if values is None or value is None:
        return SolveOutcome(outcome.status, None, None, bound, None, outcome.message)
    if bound is not None:
        bound = max(bound, value)
    gap = None if bound is None else relative_gap(value, bound)
    proven = outcome.status == "optimal" or (gap is not None and gap <= options.mip_gap)
    status: Status = "optimal" if proven else "feasible"
    message = outcome.message
    if outcome.values is None:
        message = "stopped at the time limit before the solver improved on the starting plan; " + (
            "gap unknown" if gap is None or not math.isfinite(gap) else f"gap {gap:.4%}"
        )
    elif not proven:
        reason = message.split(";")[0] if message else "stopped at the time limit"
        message = stopped_message(reason, gap)
    return SolveOutcome(status, values, value, bound, gap, "" if proven else message)


def without_mip(
    start: np.ndarray | None,
    start_value: float | None,
    bound: float | None,
    options: SolveOptions,
    why: str | None = None,
) -> SolveOutcome:
    cancelled = options.cancel is not None and options.cancel.is_set()
    reason = "cancelled" if cancelled else why or "stopped at the time limit"
    if start is None or start_value is None:
        return SolveOutcome(
            "error", None, None, bound, None, f"no plan: {reason} before a plan was found"
        )
    gap = None if bound is None else relative_gap(start_value, bound)
    return SolveOutcome(
        "feasible",
        start,
        start_value,
        bound,
        gap,
        stopped_message(reason, gap),
    )
