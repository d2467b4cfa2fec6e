"""Warnings for a plan that a rule pushes to (almost) nothing (DESIGN §4).

The shares of point 11 are linear: min × T ≤ spend(d) ≤ max × T, which the empty plan always
meets. A minimum share that no eligible candidate can serve, or a cap nobody fits under, then
quietly yields an empty plan. When the plan is worth less than `ALMOST_NOTHING` of what the best
affordable candidate alone would add, each spending rule is released in turn (its rows' bounds
lifted in the reused MILP model) and re-solved; a rule whose release lifts the value above that
threshold is named.
"""

from __future__ import annotations

import numpy as np

from app.optimizer.backends.resolve import INF
from app.optimizer.explain.candidates import ctx_standalone_values
from app.optimizer.explain.context import Context
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
    milp = ctx.resolver("milp")
    open_cols = milp.col_upper[: inst.n_candidates] > 0
    affordable = open_cols & ~_too_big_alone(ctx)
    alone = ctx_standalone_values(ctx)
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
    out = []
    for k, (family, rows) in enumerate(families.items()):
        if ctx.out_of_time():
            break
        with milp.changed(rows=dict.fromkeys(rows, (-INF, INF))):
            result = milp.solve(
                gap=ctx.mip_gap,
                # the families share what is left evenly: one slow re-solve cannot starve the rest
                time_limit_s=max(0.05, ctx.remaining() / (len(families) - k)),
                start=ctx.values,
                presolve=inst.n_candidates <= ctx.tuning.nearby_above,  # see `nearby`
            )
        if result.values is None:
            continue
        released = plan_value(inst, np.rint(result.values[: inst.n_candidates]))
        if released > ctx.tolerance() and ctx.objective <= ALMOST_NOTHING * released:
            out.append(_words(ctx, family, released))
    return out


def _too_big_alone(ctx: Context) -> np.ndarray:
    big = np.zeros(ctx.inst.n_candidates, dtype=bool)
    for line in ctx.lines:
        big[line.members[line.values > line.limit + 1e-6 * max(1.0, line.limit)]] = True
    return big


def _words(ctx: Context, family: str, released: float) -> str:
    inst = ctx.inst
    rule, _, key = family.partition(":")
    rules = inst.scenario.rules
    tail = (
        f" pushes the plan to (almost) nothing: it is worth {ctx.objective:,.2f}, against "
        f"{released:,.2f} without that rule"
    )
    if rule == "domain_share_min":
        d = inst.domain_keys.index(key)
        serving = (inst.primary_domain() == d) & (
            ctx.resolver("milp").col_upper[: inst.n_candidates] > 0
        )
        why = (
            f"; no eligible candidate has {domain_label(inst, key)} as its primary domain, and "
            "the linear form of the rule is met only by spending nothing"
            if not serving.any()
            else "; the linear form of the rule is met by spending (almost) nothing"
        )
        return (
            f"The minimum share of {domain_label(inst, key)} "
            f"({rules.domain_share[key].min:.0%}){tail}{why}."
        )
    if rule == "domain_share_max":
        return (
            f"The maximum share of {domain_label(inst, key)} "
            f"({rules.domain_share[key].max:.0%}){tail}."
        )
    if rule == "max_neighbourhood_share":
        share = rules.max_neighbourhood_share or 0.0
        return f"The maximum share of one buurt ({share:.0%}){tail}."
    if rule == "cap_per_regulated_home":
        cap = rules.cap_per_regulated_home or 0.0
        return f"The cap of {euros(cap)} per regulated home{tail}."
    if rule == "area_budget":
        return f"The area budget of {area_name(rules.area_budget[int(key)])}{tail}."
    if rule == "domain_budget":
        return f"The budget for {domain_label(inst, key)}{tail}."
    return f"The rule {family}{tail}."
