"""Warnings for a plan that a rule pushes to (almost) nothing (DESIGN §4).

The shares of point 11 are linear: min × T ≤ spend(d) ≤ max × T, which the empty plan always
meets. A minimum share that no eligible candidate can serve, or a cap nobody fits under, then
quietly yields an empty plan. When the plan is worth less than `ALMOST_NOTHING` of what the best
affordable candidate alone would add, each spending rule is released in turn (its rows' bounds
lifted in the reused MILP model) and re-solved; a rule whose release lifts the value above that
threshold is named. When no rule alone does, rules that do together are named together (two
minimum shares nobody serves: each alone leaves the other to empty the plan).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from app.optimizer.backends.resolve import INF
from app.optimizer.explain.candidates import ctx_standalone_values
from app.optimizer.explain.context import Context
from app.optimizer.model import model_arrays
from app.optimizer.problem.lines import area_name, domain_label, euros
from app.optimizer.problem.value import plan_value

ALMOST_NOTHING = 0.01
_RULE_PREFIXES = (
    "domain_share_min:",
    "domain_share_max:",
    "max_neighbourhood_share:",
    "cap_per_regulated_home:",
    "area_budget:",
    "domain_budget:",
)


def plan_warnings(ctx: Context) -> list[str]:
    inst = ctx.inst
    if inst.n_candidates == 0:
        return []
    if ctx.out_of_time():
        # Nothing is computed past the deadline (not even what each candidate is worth alone:
        # 0.3 s at 100,000 candidates); an empty plan is then said to be unchecked.
        if ctx.objective <= ctx.tolerance():
            ctx.stopped_by_clock.add("warnings")
        return []
    # Cheapest test first: a plan worth more than a hundredth of the best candidate alone,
    # affordable or not, needs no warning, and then no model is loaded into HiGHS.
    alone = ctx_standalone_values(ctx)
    if ctx.objective > ALMOST_NOTHING * float(alone.max(initial=0.0)):
        return []
    affordable = _open_columns(ctx) & ~_too_big_alone(ctx)
    best = float(alone[affordable].max()) if affordable.any() else 0.0
    if best <= ctx.tolerance() or ctx.objective > ALMOST_NOTHING * best:
        return []
    families: dict[str, list[int]] = {}
    for r, kind in enumerate(ctx.model.row_kinds):
        if kind.startswith(_RULE_PREFIXES):
            prefix, _, rest = kind.partition(":")
            family = (
                kind
                if prefix.startswith("domain_share")
                else (f"{prefix}:{rest.split(':')[0]}" if prefix.endswith("_budget") else prefix)
            )
            families.setdefault(family, []).append(r)
    # First which rules: each re-solve stops at the first plan worth enough to name its rule
    # (or once its bound shows there is none), so that naming does not wait on figures. The
    # tries share what is left evenly: one slow re-solve cannot starve the rest.
    tries = _Tries(ctx, families)
    found: list[tuple[list[str], Released]] = []
    for k, family in enumerate(families):
        if ctx.out_of_time():
            break
        released = tries.first_plan([family], ctx.remaining() / (len(families) - k))
        if released is not None:
            found.append(([family], released))
    if not found and len(families) > 1 and not ctx.out_of_time():
        together = _together(ctx, tries)
        if together is not None:
            found.append(together)
    # Then the figures: what each plan is worth without its rules, within their budget
    # (`Context.figures_s`); one the clock ends is a floor, "at least".
    until = ctx.deadline
    if ctx.figures_s is not None:
        until = min(until, time.monotonic() + ctx.figures_s)
    out: list[str] = []
    for k, (named, first) in enumerate(found):
        rows = _rows_of(families, named)
        figure = first
        share = (until - time.monotonic()) / (len(found) - k)
        if share > 0 and not ctx.out_of_time():
            more = _released(ctx, rows, share, False, first.values)
            if more is not None and more.value >= first.value:
                figure = more
        else:  # the first plan's worth, a floor, stands where the full figure would have
            ctx.stopped_by_clock.add("warnings")
        out.append(_words(ctx, named, figure))
    return out


@dataclass(frozen=True)
class Released:
    """A plan with some rules lifted: its worth, its columns, and whether the re-solve ended by
    itself at the requested gap (else its worth is a floor, 'at least')."""

    value: float
    values: np.ndarray
    proven: bool


def _explains(ctx: Context, released: Released) -> bool:
    return ctx.objective <= ALMOST_NOTHING * released.value


class _Tries:
    """The naming re-solves, each set of released rules at most once. Releasing more rules
    keeps every plan that releasing fewer allows, so a plan found with some rules released
    answers for any larger set, and none found answers for any smaller one. (Two rules that
    empty the plan together, mutated scenario 10: the single try of one of them and the last
    put-back of the together pass are the same re-solve, and it found no plan until its share
    ended: 9.7 and 12.4 s of a 30 s limit.)"""

    def __init__(self, ctx: Context, families: dict[str, list[int]]) -> None:
        self.ctx = ctx
        self.families = families
        self.found: list[tuple[frozenset[str], Released]] = []
        self.none: list[frozenset[str]] = []

    def first_plan(self, named: list[str], time_limit_s: float) -> Released | None:
        """The first plan worth enough to name the rules `named` (released together)."""
        ctx, key = self.ctx, frozenset(named)
        for released_set, plan in self.found:
            if released_set <= key:
                return plan
        if any(key <= released_set for released_set in self.none):
            return None
        if _no_time_to_start(ctx):  # nothing learnt: not a set without a plan
            return None
        released = _released(ctx, _rows_of(self.families, named), time_limit_s, True)
        if released is None or not _explains(ctx, released):
            self.none.append(key)
            return None
        self.found.append((key, released))
        return released


def _together(ctx: Context, tries: _Tries) -> tuple[list[str], Released] | None:
    """Rules that each leave nothing while the others hold (two minimum shares that nobody
    serves): all released together, then each one put back in turn and left back where the
    plan stays worth something without the others, so that the rules named are each needed."""
    named = list(tries.families)
    count = len(named) + 1
    released = tries.first_plan(named, ctx.remaining() / count)
    if released is None:
        return None
    for k, family in enumerate(list(named)):
        if ctx.out_of_time():
            break
        others = [f for f in named if f != family]
        without = tries.first_plan(others, ctx.remaining() / (count - 1 - k))
        if without is not None:
            named, released = others, without
    return named, released


def _rows_of(families: dict[str, list[int]], named: list[str]) -> list[int]:
    return [r for family in named for r in families[family]]


def _released(
    ctx: Context,
    rows: list[int],
    time_limit_s: float,
    first_enough: bool,
    start: np.ndarray | None = None,
) -> Released | None:
    """The plan with `rows` lifted, when it is worth more than nothing. `first_enough`: stop at
    the first plan worth enough to name the rules (or once none can be)."""
    inst = ctx.inst
    # A share too short for presolve to end in would end after it: the re-solve takes what
    # presolve needs from the rules after it, and none starts without that much left.
    needed = ctx.whole_mip_seconds()
    if _no_time_to_start(ctx):
        return None
    milp = ctx.resolver("milp")
    enough = max(ctx.objective / ALMOST_NOTHING, ctx.tolerance()) * (1 + 1e-9)
    with milp.changed(rows=dict.fromkeys(rows, (-INF, INF))):
        result = milp.solve(
            gap=ctx.mip_gap,
            time_limit_s=max(0.05, needed, time_limit_s),
            start=ctx.values if start is None else start,
            stop_at=enough if first_enough else None,
            # With presolve at every size: nothing is fixed here, so none of the reasons for
            # leaving it out of the explanation's re-solves holds (`nearby`), and without it
            # HiGHS heeds the clock less (120 neighbourhoods x 70 x 3 years, a fifth of the
            # budget: each rule's re-solve ran past its 0.8 s share, the last by 0.4 s; with
            # presolve three are proven in 0.2-0.7 s and the fourth ends on time). But without
            # presolve's enumeration, which heeds no clock (`highs_options.ENUMERATION_OFF`). On
            # the 20 empty plans of mutated scenarios 1-120 at 5 s, the warnings named the same
            # rules in about the same time, quicker on 6, 45, 82 and 84 (3.3 s to 1.8 at 82),
            # slower on 52 (0.6 s to 1.4), and named rules on 74 where they had named none.
            enumeration=False,
        )
    if result.stopped_by_clock:
        ctx.stopped_by_clock.add("warnings")
    if result.values is None:
        return None
    value = plan_value(inst, np.rint(result.values[: inst.n_candidates]))
    if value <= ctx.tolerance():
        return None
    return Released(value, result.values, result.status == "optimal" and not first_enough)


def _no_time_to_start(ctx: Context) -> bool:
    """Whether less is left than a re-solve of the whole model needs to get past presolve
    (`Context.whole_mip_seconds`); then none starts, and the answer says the clock cut its
    warnings short."""
    if ctx.remaining() < ctx.whole_mip_seconds():
        ctx.stopped_by_clock.add("warnings")
        return True
    return False


def _open_columns(ctx: Context) -> np.ndarray:
    """The candidates no lock keeps out, read from the model's own bounds (the MILP resolver
    holds the same until a re-solve changes them)."""
    return model_arrays(ctx.model).col_upper[: ctx.inst.n_candidates] > 0


def _too_big_alone(ctx: Context) -> np.ndarray:
    big = np.zeros(ctx.inst.n_candidates, dtype=bool)
    for line in ctx.lines:
        big[line.members[line.values > line.limit + 1e-6 * max(1.0, line.limit)]] = True
    return big


def _words(ctx: Context, families: list[str], released: Released) -> str:
    if len(families) == 1:
        pushes = _pushes(ctx, released, "that rule", "pushes")
        return f"{_rule_words(ctx, families[0])}{pushes}{_why(ctx, families[0])}."
    named = [_rule_words(ctx, family) for family in families]
    named = [named[0]] + [words[0].lower() + words[1:] for words in named[1:]]
    listed = ", ".join(named[:-1]) + " and " + named[-1]
    return f"{listed} together{_pushes(ctx, released, 'them', 'push')}; no one of them alone does."


def _pushes(ctx: Context, released: Released, without: str, verb: str) -> str:
    floor = "" if released.proven else "at least "
    return (
        f" {verb} the plan to (almost) nothing: it is worth {ctx.objective:,.2f}, against "
        f"{floor}{released.value:,.2f} without {without}"
    )


def _why(ctx: Context, family: str) -> str:
    rule, _, key = family.partition(":")
    if rule != "domain_share_min":
        return ""
    inst = ctx.inst
    d = inst.domain_keys.index(key)
    serving = (inst.primary_domain() == d) & _open_columns(ctx)
    if not serving.any():
        return (
            f"; no eligible candidate has {domain_label(inst, key)} as its primary domain, and "
            "the linear form of the rule is met only by spending nothing"
        )
    return "; the linear form of the rule is met by spending (almost) nothing"


def _rule_words(ctx: Context, family: str) -> str:
    """The rule, named as a planner would: 'The minimum share of Samenhang (20%)'."""
    inst = ctx.inst
    rule, _, key = family.partition(":")
    rules = inst.scenario.rules
    if rule == "domain_share_min":
        return f"The minimum share of {domain_label(inst, key)} ({rules.domain_share[key].min:.0%})"
    if rule == "domain_share_max":
        return f"The maximum share of {domain_label(inst, key)} ({rules.domain_share[key].max:.0%})"
    if rule == "max_neighbourhood_share":
        return f"The maximum share of one buurt ({rules.max_neighbourhood_share or 0.0:.0%})"
    if rule == "cap_per_regulated_home":
        return f"The cap of {euros(rules.cap_per_regulated_home or 0.0)} per regulated home"
    if rule == "area_budget":
        return f"The area budget of {area_name(rules.area_budget[int(key)])}"
    if rule == "domain_budget":
        return f"The budget for {domain_label(inst, key)}"
    return f"The rule {family}"
