"""The whole explanation of a feasible plan (DESIGN §4 `explanation`), put together from its
parts: the next step of each line, the marginal estimates, the binding rules and a row for
every candidate pair. Each part runs only while the explanation's deadline allows; a part the
deadline did not reach is named in `skipped`, and what a higher level would add in
`on_request`."""

from __future__ import annotations

from app.optimizer.explain.candidates import candidate_rows
from app.optimizer.explain.context import ON_REQUEST, Context, ExplainLevel
from app.optimizer.explain.marginal import fixed_relaxation_within_reach, marginal_estimates
from app.optimizer.explain.next_steps import binding_rules, next_steps
from app.schemas.explanation import (
    BindingRule,
    CandidateExplanation,
    Explanation,
    MarginalEstimate,
    NextStep,
)


def not_begun(level: ExplainLevel, notes: list[str] | None = None) -> Explanation:
    """The explanation of a plan found after the explanation's deadline: it says only that.
    Even its parts without a re-solve take a second at national scale (`mutated` seed 421,
    99,555 candidates), and so does reading the rules into lines before them."""
    return Explanation(
        level=level,
        on_request=[] if level == "full" else [ON_REQUEST],
        skipped=["the whole explanation: its time ran out before it began"],
        notes=notes or [],
    )


def explain(ctx: Context) -> Explanation:
    """The whole explanation of a feasible plan (every part within `ctx.deadline`)."""
    skipped: list[str] = []
    steps: list[NextStep] = []
    estimates: list[MarginalEstimate] = []
    candidates: list[CandidateExplanation] = []
    binding: list[BindingRule] = []
    if ctx.out_of_time():
        ctx.stopped_by_clock.add("explanation")
        return not_begun(ctx.options.level, ctx.notes)
    steps = next_steps(ctx, share=ctx.tuning.next_step_share)
    if ctx.out_of_time() or not fixed_relaxation_within_reach(ctx):
        skipped.append("marginal estimates: the explanation's time ran out before them")
    else:
        estimates = marginal_estimates(ctx)
    candidates = candidate_rows(ctx, skipped)
    binding = binding_rules(ctx, steps)
    if skipped:
        ctx.stopped_by_clock.add("explanation")
    counts: dict[str, int] = {}
    for row in candidates:
        counts[row.reason] = counts.get(row.reason, 0) + 1
    return Explanation(
        level=ctx.options.level,
        on_request=[] if ctx.options.level == "full" else [ON_REQUEST],
        skipped=skipped,
        next_step=steps,
        marginal_estimate=estimates,
        binding=binding,
        candidates=candidates,
        reason_counts=counts,
        notes=ctx.notes,
    )
