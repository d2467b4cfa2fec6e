"""The value of a plan (DESIGN §3 points 4-7)."""

from __future__ import annotations

from tests.reference.document import (
    Run,
    domain_weights,
    effect_years,
    gap,
    horizon,
    interventions,
    neighbourhoods,
    objective,
)


def cell_value(c: float, g: float, big_g: float, obj: dict) -> float:
    """v(n,d,t) for a credited improvement c, a gap g and the domain's largest gap G."""
    equity = obj.get("equity", "prioritarian")
    strength = float(obj.get("equity_strength", 1.0))
    if equity == "linear" or strength == 0:
        return c
    segments = int(obj.get("segments", 4))
    width = g / segments
    v = 0.0
    for j in range(segments):  # piece 0 is the deepest
        amount = min(max(c - j * width, 0.0), width)
        midpoint_depth = g - (j + 0.5) * width
        weight = 1.0 + strength * midpoint_depth / big_g if big_g > 0 else 1.0
        v += amount * weight
    v += max(0.0, c - g)  # only possible without cap_at_target: weight 1
    return v


def plan_value(doc: dict, plan: list[Run]) -> float:
    h = horizon(doc)
    weights = domain_weights(doc)
    obj = objective(doc)
    cap = obj.get("cap_at_target", True)
    rate = float(obj.get("discount_rate", 0.0) or 0.0)
    ivs = interventions(doc)
    nbs = neighbourhoods(doc)

    big_g = {d: max(gap(doc, nb, d, t) for nb in nbs.values() for t in range(h)) for d in weights}

    active: dict[tuple[str, str, int], float] = {}
    for run in plan:
        i, n, _ = run
        for t in effect_years(doc, run):
            for d, e in (ivs[i].get("effects") or {}).items():
                active[(n, d, t)] = active.get((n, d, t), 0.0) + float(e)

    total = 0.0
    for n, nb in nbs.items():
        for d, w in weights.items():
            for t in range(h):
                effect = active.get((n, d, t), 0.0)
                if effect == 0:
                    continue
                g = gap(doc, nb, d, t)
                c = min(effect, g) if cap else effect
                v = cell_value(c, g, big_g[d], obj)
                total += w * float(nb["homes"]) * (1.0 + rate) ** (-t) * v
    return total
