"""The whole explanation of a feasible plan (DESIGN §4 `explanation`), put together from its
parts: the next step of each line, the marginal estimates, the binding rules and a row for
every candidate pair."""

from __future__ import annotations

from app.optimizer.explain.candidates import candidate_rows
from app.optimizer.explain.context import Context
from app.optimizer.explain.marginal import marginal_estimates
from app.optimizer.explain.next_steps import binding_rules, next_steps
from app.schemas.explanation import Explanation


def explain(ctx: Context) -> Explanation:
    """The whole explanation of a feasible plan (every part within `ctx.deadline`)."""
    steps = next_steps(ctx)
    estimates = marginal_estimates(ctx)
    candidates = candidate_rows(ctx)
    counts: dict[str, int] = {}
    for row in candidates:
        counts[row.reason] = counts.get(row.reason, 0) + 1
    return Explanation(
        next_step=steps,
        marginal_estimate=estimates,
        binding=binding_rules(ctx, steps),
        candidates=candidates,
        reason_counts=counts,
        notes=ctx.notes,
    )
