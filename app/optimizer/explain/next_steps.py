"""Why this plan (DESIGN §4 `explanation`): what the next step of each line buys, which rules
bind, and (in `explain_candidates`) why every other candidate pair has no run.

Why re-solves. With the integer decisions fixed, no continuous variable sits in a budget,
partner or resource row, so the LP duals of those rows are all zero and say nothing. What one
more step of a line buys is therefore measured exactly: the MILP is solved again with the line
raised by the step, from the incumbent (which stays feasible, so the gain is never negative),
on one HiGHS model that is changed in place (`resolve.Resolver`).

Which lines can skip the re-solve (each proof is sound, so the step provably buys nothing):
- the model left the line's row out: funding every candidate fits within it;
- another kept line L' implies it: a_L(c) ≤ a_L'(c) for every candidate and b' ≤ b, so
  a_L·x ≤ a_L'·x ≤ b' ≤ b for every plan;
- no plan worth more than the incumbent z uses more than b of it: max a_L·x over the LP
  relaxation of every other rule plus value(x) ≥ z + ε is at most b. Raising b then leaves the
  set of plans worth more than z unchanged; the LP relaxes the MILP, so this holds for it.

Time. The explanation has a budget (`ExplainOptions.budget`, by default about the solve's own
time). The lines that need work share half of what is left evenly; a re-solve that stops at its
share still has a plan at least as good as the incumbent, so its gain is a lower bound, and it
says so. At corporation size a re-solve first searches near the plan (`nearby`).
"""

from __future__ import annotations

import time

import numpy as np

from app.optimizer.backends.resolve import INF, Resolved
from app.optimizer.explain.context import Context
from app.optimizer.explain.nearby import best_for_line, raised_master, resolve_near_plan
from app.optimizer.problem.lines import Line
from app.optimizer.problem.value import plan_value
from app.schemas.explanation import BindingRule, NextStep

NEXT_STEP_KINDS = ("budget", "partner", "resource", "domain_budget", "area_budget")


# ---------------------------------------------------------------------------- next step


def next_steps(ctx: Context, share: float = 0.5) -> list[NextStep]:
    """Every line's next step. The lines that plainly cannot bind are settled first; the others
    then share `share` of the time left, evenly, so that one slow line cannot starve the rest:
    each tries the LP proof in a third of its share, then re-solves (a re-solve stopped early
    still gives a plan, so a gain at least that)."""
    out: list[NextStep | None] = []
    lines = [line for line in ctx.lines if line.kind in NEXT_STEP_KINDS]
    todo: list[tuple[int, Line, float, float, dict]] = []
    for line in lines:
        used = line.dot(ctx.chosen)
        step = ctx.step(line)
        base = {
            "line": line.key,
            "kind": line.kind,
            "label": line.label,
            "unit": line.unit,
            "year": line.year,
            "limit": line.limit,
            "used": round(used, 6),
            "step": step,
        }
        reason = _cannot_bind(ctx, line, lines)
        if reason is not None:
            out.append(_not_binding(line, used, base, reason))
            continue
        todo.append((len(out), line, used, step, base))
        out.append(None)
    finish = time.monotonic() + share * max(0.0, ctx.remaining())
    for k, (index, line, used, step, base) in enumerate(todo):
        left = finish - time.monotonic()
        if left <= 0 or ctx.out_of_time():
            ctx.stopped_by_clock.add("next steps")
            out[index] = NextStep(
                **base,
                binding=_fully_used(line, used),
                resolved=False,
                note="not re-solved: the explanation's time limit was reached",
            )
            continue
        began, seconds = time.monotonic(), left / (len(todo) - k)
        # The LP proof costs a fresh LP of the whole model first (2.4 s at 300 x 40 x 3, over
        # its share): where the neighbourhood plans give the figure, it is left to them.
        wanted = _resolve_exactly(ctx) or ctx.neighbourhood_plans is None
        proving = wanted and ctx.affords(seconds / 3)
        if wanted and not proving:
            # The clock chose the way this line is explained: another run may differ.
            ctx.stopped_by_clock.add("next steps")
        most = _most_used_by_better_plans(ctx, line, seconds / 3) if proving else None
        if most is not None and most <= line.limit * (1 + 1e-9) + 1e-9:
            reason = "cannot bind: no plan worth more than this one would use more of it"
            out[index] = _not_binding(line, used, base, reason)
            continue
        seconds -= time.monotonic() - began
        out[index] = _raise_and_resolve(ctx, line, used, step, base, seconds)
    return [s for s in out if s is not None]


def _not_binding(line: Line, used: float, base: dict, reason: str) -> NextStep:
    return NextStep(
        **base,
        binding=_fully_used(line, used),
        gain=0.0,
        gain_per_unit=0.0,
        resolved=False,
        note=reason,
    )


def _fully_used(line: Line, used: float) -> bool:
    return used >= line.limit - 1e-6 * max(1.0, line.limit)


def _cannot_bind(ctx: Context, line: Line, lines: list[Line]) -> str | None:
    """Why the line plainly cannot bind (see the module docstring), or None."""
    milp = ctx.resolver("milp")
    if not milp.rows(line.row_kind):
        return "cannot bind: funding every candidate fits within it"
    n = ctx.inst.n_candidates
    mine = line.dense(n)
    for other in lines:
        # A line implied by another kept line: no more per candidate, and no larger a limit.
        if (
            other is not line
            and other.unit == line.unit
            and milp.rows(other.row_kind)
            and other.limit <= line.limit
            and np.all(mine <= other.dense(n) + 1e-12)
        ):
            return f"cannot bind: {other.label} ({other.amount(other.limit)}) is tighter"
    return None


def _most_used_by_better_plans(ctx: Context, line: Line, seconds: float) -> float | None:
    """max a_L·x over the LP relaxation without L and with value ≥ z + ε (−inf when empty)."""
    lp = ctx.resolver("lp")
    if ctx.value_cut is None:
        cols = np.flatnonzero(lp.costs)
        ctx.value_cut = lp.add_row(cols, lp.costs[cols], -INF, INF)
    cut = ctx.value_cut
    row = milp_row(ctx, line)
    objective = np.zeros(lp.n_cols)
    objective[line.members] = line.values / line.scale
    h = lp.h
    all_cols = np.arange(lp.n_cols, dtype=np.int32)
    h.changeColsCost(lp.n_cols, all_cols, objective)
    try:
        with lp.changed(
            rows={row: (lp.row_bounds(row)[0], INF), cut: (ctx.objective + ctx.tolerance(), INF)}
        ):
            result = lp.solve(time_limit_s=max(0.05, seconds))
    finally:
        h.changeColsCost(lp.n_cols, all_cols, lp.costs)
    if result.status == "infeasible":
        return -np.inf
    if result.objective is None or result.status != "optimal":
        return None
    return result.objective * line.scale


def milp_row(ctx: Context, line: Line) -> int:
    return ctx.resolver("milp").rows(line.row_kind)[0]


def _raise_and_resolve(
    ctx: Context, line: Line, used: float, step: float, base: dict, seconds: float
) -> NextStep:
    milp = ctx.resolver("milp")
    row = milp_row(ctx, line)
    lower, _ = milp.row_bounds(row)
    upper = (line.limit + step) / line.scale
    began = time.monotonic()
    # First the plan's own neighbourhood parts and the bound's neighbourhood plans, put
    # together again under the raised line: quick, and the re-solve starts from what it found.
    # (without the MILP re-solve after it, the master has the line's whole share)
    near = raised_master(ctx, row, upper, seconds if not _resolve_exactly(ctx) else seconds / 3)
    if near is not None and not _resolve_exactly(ctx):
        return _from_neighbourhood_plans(ctx, line, used, step, base, near)
    if not ctx.affords(seconds - (time.monotonic() - began), mip=True):
        ctx.stopped_by_clock.add("next steps")
        if near is not None:
            return _from_neighbourhood_plans(ctx, line, used, step, base, near)
        return NextStep(
            **base,
            binding=_fully_used(line, used),
            resolved=False,
            note="not re-solved: its share of the explanation's time is shorter than one "
            "re-solve of the whole model takes",
        )
    start = ctx.values if near is None else near
    free = best_for_line(ctx, line.members)
    with milp.changed(rows={row: (lower, upper)}):
        # At gap 0 and a node limit: a gain smaller than the solve's own gap is still seen,
        # and the limit (not the clock) ends it, so another run gives the same figure.
        result = resolve_near_plan(
            ctx,
            free,
            seconds - (time.monotonic() - began),
            0.0,
            start,
            max_nodes=ctx.tuning.next_step_nodes,
        )
    if near is not None and (
        result.values is None
        or float(ctx.model.arrays.costs @ near) > (result.objective or -INF) + ctx.tolerance()
    ):
        result = Resolved("feasible", float(ctx.model.arrays.costs @ near), near, result.bound)
    if result.stopped_by_clock:
        ctx.stopped_by_clock.add("next steps")
    if result.values is None:
        return NextStep(
            **base,
            binding=_fully_used(line, used),
            resolved=False,
            note=f"re-solve found no plan ({result.status})",
        )
    raised = np.rint(result.values[: ctx.inst.n_candidates]).astype(np.int64)
    gain = plan_value(ctx.inst, raised) - ctx.objective
    notes = []
    if gain > ctx.tolerance() and line.dot(raised) <= line.limit + 1e-6 * max(1.0, line.limit):
        # A better plan within the current limit: the recommended plan was within its gap of
        # the optimum, and the difference is not the step's doing.
        notes.append("the re-solve found a better plan within the current limit, not credited")
        gain = 0.0
    if gain <= ctx.tolerance():
        gain, raised = 0.0, ctx.chosen
    if result.status != "optimal":
        notes.append("re-solve stopped at its node or time limit: the gain is at least this")
    at_most = None
    bound_gain = None if result.bound is None else result.bound - ctx.objective
    if bound_gain is not None and gain + ctx.tolerance() < bound_gain <= abs(ctx.objective):
        at_most = round(bound_gain, 6)  # (a bound above twice the plan's value says nothing)
    return NextStep(
        **base,
        binding=gain > 0 or _fully_used(line, used),
        gain=round(gain, 6),
        gain_at_most=at_most,
        gain_per_unit=round(gain / step, 9),
        resolved=True,
        enters=ctx.run_refs(np.flatnonzero(raised > ctx.chosen)),
        leaves=ctx.run_refs(np.flatnonzero(raised < ctx.chosen)),
        note="; ".join(notes),
    )


def _resolve_exactly(ctx: Context) -> bool:
    """Whether a next step re-solves the whole MILP: at the full level, or where that is
    cheap (a small model); else the neighbourhood plans' figure stands."""
    small = ctx.inst.n_candidates <= ctx.tuning.next_step_exact_candidates
    return ctx.options.level == "full" or small


def _from_neighbourhood_plans(
    ctx: Context, line: Line, used: float, step: float, base: dict, near: np.ndarray
) -> NextStep:
    """The gain of the best plan put together from the solve's neighbourhood plans (and the
    plan's own parts) under the raised line: a plan that exists, so a gain at least this."""
    raised = np.rint(near[: ctx.inst.n_candidates]).astype(np.int64)
    gain = plan_value(ctx.inst, raised) - ctx.objective
    if line.dot(raised) <= line.limit + 1e-6 * max(1.0, line.limit):
        gain = 0.0  # a better plan within the current limit is not the step's doing
    if gain <= ctx.tolerance():
        gain, raised = 0.0, ctx.chosen
    return NextStep(
        **base,
        binding=gain > 0 or _fully_used(line, used),
        gain=round(gain, 6),
        gain_per_unit=round(gain / step, 9),
        resolved=False,
        enters=ctx.run_refs(np.flatnonzero(raised > ctx.chosen)),
        leaves=ctx.run_refs(np.flatnonzero(raised < ctx.chosen)),
        note="from the solve's neighbourhood plans put together under the raised line: the "
        "gain is at least this (the full level re-solves the whole model)",
    )


# ---------------------------------------------------------------------------- binding rules


def binding_rules(ctx: Context, steps: list[NextStep]) -> list[BindingRule]:
    """Binding lines grouped by rule (a budget's years together), largest next step first."""
    by_key = {line.key: line for line in ctx.lines}
    groups: dict[str, list[NextStep]] = {}
    for s in steps:
        if s.binding:
            groups.setdefault(by_key[s.line].family, []).append(s)
    rules = [_binding_rule(by_key, family, members) for family, members in groups.items()]
    rules += _binding_caps(ctx)
    rules.sort(key=lambda b: -(b.gain or 0.0))
    return rules


def _binding_rule(by_key: dict[str, Line], family: str, members: list[NextStep]) -> BindingRule:
    first = by_key[members[0].line]
    full = [s for s in members if _fully_used(by_key[s.line], s.used)]
    parts = []
    if full:
        parts.append(_fully_used_words(first, [by_key[s.line] for s in full]))
    for s in members:
        line = by_key[s.line]
        if s in full:
            continue
        parts.append(
            f"{line.label} ({line.amount(line.limit)}) has {line.amount(line.limit - s.used)} "
            f"left, not enough for the next best run"
        )
    gains = [s.gain for s in members if s.gain is not None]
    best = max(gains) if gains else None
    message = "; ".join(parts)
    if best:
        top = max(members, key=lambda s: s.gain or 0.0)
        where = "" if len(members) == 1 else f" on {by_key[top.line].label}"
        message += (
            f"; {by_key[top.line].amount(top.step or 0.0)} more{where} "
            f"would add {best:,.2f} in value"
        )
    return BindingRule(rule=family, lines=[s.line for s in members], message=message, gain=best)


def _fully_used_words(first: Line, full: list[Line]) -> str:
    years = [line.year for line in full if line.year is not None]
    totals = [line for line in full if line.year is None]
    parts = [f"{line.label} ({line.amount(line.limit)}) is fully used" for line in totals]
    if years and first.kind == "resource":
        listed = " and ".join(str(y) for y in years)
        parts.append(f"{first.unit} is fully used in {listed}")
    else:
        parts += [
            f"{line.label} ({line.amount(line.limit)}) is fully used"
            for line in full
            if line.year is not None
        ]
    return "; ".join(parts)


def _binding_caps(ctx: Context) -> list[BindingRule]:
    """Caps per regulated home that the plan uses fully (they have no next step of their own)."""
    full = [
        line
        for line in ctx.lines
        if line.kind == "cap_per_regulated_home"
        and line.limit > 0
        and _fully_used(line, line.dot(ctx.chosen))
    ]
    if not full:
        return []
    return [
        BindingRule(
            rule="cap_per_regulated_home",
            lines=[line.key for line in full],
            message="; ".join(f"{line.label} is fully used" for line in full),
        )
    ]
