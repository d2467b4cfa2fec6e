"""A literal, slow-but-obvious reading of DESIGN §3 ("Meaning", points 1-12).

Everything here works on the plain JSON dict of a scenario. A *plan* is a list of runs, each a
tuple ``(intervention_key, neighbourhood_code, start_offset)`` with ``start_offset`` counted from
``start_year`` (t = 0 ... H-1).

Readings of points the document leaves open (kept deliberately visible):
- ``duration_years`` left out of an intervention reads as 1 (the generator always writes it).
- ``regulated_homes`` left out reads as 0.
- A partner contribution with neither ``share`` nor ``amount_per_year`` pays nothing.
- A neighbourhood without a score for a domain has gap 0 there; without ``cap_at_target`` the
  effects there still count, at weight 1 (improvement beyond a gap of 0).
- ``exclusive_group`` counts every run of every member, so two runs of one member in one
  neighbourhood also break it.
- An ``area_budget`` entry naming neither municipality nor district covers every neighbourhood.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Run = tuple[str, str, int]

DEFAULT_DOMAIN_KEYS = (
    "physical_environment",
    "housing_stock",
    "amenities",
    "social_cohesion",
    "nuisance_safety",
    "vulnerable_residents",
    "rent_arrears",
    "social_mobility",
)

REL_TOL = 1e-6


def _le(lhs: float, rhs: float) -> bool:
    """lhs <= rhs up to a small relative tolerance (money and capacity comparisons)."""
    return lhs <= rhs + REL_TOL * max(1.0, abs(lhs), abs(rhs))


# --------------------------------------------------------------------------------------------
# Plain readers with the documented defaults
# --------------------------------------------------------------------------------------------


def horizon(doc: dict) -> int:
    return int(doc["horizon_years"])


def domain_weights(doc: dict) -> dict[str, float]:
    domains = doc.get("domains")
    if domains is None:
        return dict.fromkeys(DEFAULT_DOMAIN_KEYS, 1.0)
    return {d["key"]: float(d.get("weight", 1.0)) for d in domains}


def neighbourhoods(doc: dict) -> dict[str, dict]:
    return {nb["code"]: nb for nb in doc["neighbourhoods"]}


def interventions(doc: dict) -> dict[str, dict]:
    return {iv["key"]: iv for iv in doc.get("interventions", [])}


def rules(doc: dict) -> dict:
    return doc.get("rules") or {}


def objective(doc: dict) -> dict:
    return doc.get("objective") or {}


def duration(iv: dict, h: int, s: int) -> int:
    d = iv.get("duration_years", 1)
    return h - s if d is None else int(d)


def _per_run_year(value: Any, k: int) -> float:
    if value is None:
        return 0.0
    if isinstance(value, list):
        return float(value[k])
    return float(value)


def run_costs(doc: dict, iv: dict, nb: dict, s: int) -> list[float]:
    """Point 1: cost in run-year k = fixed[k] + per_home[k] x homes(n)."""
    cost = iv.get("cost") or {}
    d = duration(iv, horizon(doc), s)
    homes = float(nb["homes"])
    return [
        _per_run_year(cost.get("fixed", 0), k) + _per_run_year(cost.get("per_home", 0), k) * homes
        for k in range(d)
    ]


def run_payments(
    doc: dict, iv: dict, nb: dict, s: int
) -> tuple[list[float], dict[str, list[float]]]:
    """Point 2: (corporation part per run year, partner payments per run year).

    Per run year, contributions are taken in the listed order, each share x that year's cost or
    the amount per year, never beyond what is left of that year's cost.
    """
    costs = run_costs(doc, iv, nb, s)
    partner_pay: dict[str, list[float]] = {}
    corp: list[float] = []
    for k, cost in enumerate(costs):
        remaining = cost
        for pc in iv.get("partner_contributions") or []:
            if pc.get("share") is not None:
                wanted = float(pc["share"]) * cost
            elif pc.get("amount_per_year") is not None:
                wanted = _per_run_year(pc["amount_per_year"], k)
            else:
                wanted = 0.0
            paid = min(wanted, remaining)
            remaining -= paid
            pays = partner_pay.setdefault(pc["partner"], [0.0] * len(costs))
            pays[k] += paid
        corp.append(remaining)
    return corp, partner_pay


def projection(doc: dict, nb: dict, d: str, t: int) -> float | None:
    """Point 4: q(n,d,t), or None when n has no score for d."""
    sc = (nb.get("scores") or {}).get(d)
    if sc is None:
        return None
    start = int(doc["start_year"])
    score_year = sc.get("score_year")
    if score_year is None:
        score_year = start - 1
    return float(sc["score"]) + float(sc.get("trend", 0.0) or 0.0) * (start + t - score_year)


def gap(doc: dict, nb: dict, d: str, t: int) -> float:
    """Point 4: g(n,d,t) = max(0, target - q); 0 where there is no score."""
    q = projection(doc, nb, d, t)
    if q is None:
        return 0.0
    target = float(nb["scores"][d].get("target", 0.0) or 0.0)
    return max(0.0, target - q)


def is_eligible(doc: dict, iv: dict, nb: dict) -> bool:
    """Point 8."""
    el = iv.get("eligible")
    if el is None:
        return True
    if isinstance(el, list):
        return nb["code"] in el
    codes = el.get("codes")
    if codes is not None and nb["code"] not in codes:
        return False
    for d, x in (el.get("min_gap") or {}).items():
        if gap(doc, nb, d, 0) < float(x):
            return False
    return True


def fits(doc: dict, iv: dict, s: int) -> bool:
    h = horizon(doc)
    return 0 <= s < h and s + duration(iv, h, s) <= h


def candidates(doc: dict) -> list[Run]:
    """Every (i, n, s) whose run fits the horizon and whose neighbourhood is eligible."""
    h = horizon(doc)
    out: list[Run] = []
    for iv in doc.get("interventions", []):
        for nb in doc["neighbourhoods"]:
            if not is_eligible(doc, iv, nb):
                continue
            for s in range(h):
                if fits(doc, iv, s):
                    out.append((iv["key"], nb["code"], s))
    return out


def run_years(doc: dict, run: Run) -> list[int]:
    iv = interventions(doc)[run[0]]
    s = run[2]
    return list(range(s, s + duration(iv, horizon(doc), s)))


def effect_years(doc: dict, run: Run) -> list[int]:
    """Point 5: s+lag ... s+lag+D-1 (or ... H-1 when the effect persists), within the horizon."""
    h = horizon(doc)
    iv = interventions(doc)[run[0]]
    s = run[2]
    first = s + int(iv.get("lag_years", 0) or 0)
    last = h - 1 if iv.get("effect_persists", False) else first + duration(iv, h, s) - 1
    return [t for t in range(first, last + 1) if 0 <= t < h]


# --------------------------------------------------------------------------------------------
# Value (points 4-7)
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Rules (points 1-3, 8-11)
# --------------------------------------------------------------------------------------------


@dataclass
class _Spend:
    """Money and capacity of a plan, per calendar-year offset t."""

    corp_by_year: list[float]
    corp_total: float
    partner_by_year: dict[str, list[float]] = field(default_factory=dict)
    resource_by_year: dict[str, list[float]] = field(default_factory=dict)
    domain_by_year: dict[str, list[float]] = field(default_factory=dict)
    nb_by_year: dict[str, list[float]] = field(default_factory=dict)
    capped_nb_by_year: dict[str, list[float]] = field(default_factory=dict)


def _spend(doc: dict, plan: list[Run]) -> _Spend:
    h = horizon(doc)
    ivs = interventions(doc)
    nbs = neighbourhoods(doc)
    sp = _Spend(corp_by_year=[0.0] * h, corp_total=0.0)
    for i, n, s in plan:
        iv, nb = ivs[i], nbs[n]
        corp, partners = run_payments(doc, iv, nb, s)
        for k, amount in enumerate(corp):
            t = s + k
            if t >= h:
                continue  # a run that does not fit is reported separately
            sp.corp_by_year[t] += amount
            sp.corp_total += amount
            sp.domain_by_year.setdefault(iv["domain"], [0.0] * h)[t] += amount
            sp.nb_by_year.setdefault(n, [0.0] * h)[t] += amount
            if iv.get("counts_toward_cap", True):
                sp.capped_nb_by_year.setdefault(n, [0.0] * h)[t] += amount
        for p, pays in partners.items():
            for k, amount in enumerate(pays):
                if s + k < h:
                    sp.partner_by_year.setdefault(p, [0.0] * h)[s + k] += amount
        for r, units in (iv.get("uses") or {}).items():
            for k in range(len(corp)):
                if s + k < h:
                    sp.resource_by_year.setdefault(r, [0.0] * h)[s + k] += float(units)
    return sp


def _limit_violations(
    label: str, by_year: list[float], limit: dict | None, start_year: int
) -> list[str]:
    out: list[str] = []
    if not limit:
        return out
    total = sum(by_year)
    if limit.get("total") is not None and not _le(total, float(limit["total"])):
        out.append(f"{label}: total {total:.2f} > {float(limit['total']):.2f}")
    if limit.get("per_year") is not None:
        for t, cap in enumerate(limit["per_year"]):
            if t < len(by_year) and not _le(by_year[t], float(cap)):
                out.append(f"{label}: {start_year + t} spends {by_year[t]:.2f} > {float(cap):.2f}")
    return out


def plan_violations(doc: dict, plan: list[Run]) -> list[str]:
    h = horizon(doc)
    start = int(doc["start_year"])
    ivs = interventions(doc)
    nbs = neighbourhoods(doc)
    rl = rules(doc)
    out: list[str] = []
    zeros = [0.0] * h

    # A run is a funded candidate: each (i, n, s) at most once; eligible and fitting.
    seen: set[Run] = set()
    for run in plan:
        i, n, s = run
        if run in seen:
            out.append(f"candidate {run} funded twice")
        seen.add(run)
        if i not in ivs or n not in nbs:
            out.append(f"unknown intervention or neighbourhood in {run}")
            return out
        if not fits(doc, ivs[i], s):
            out.append(f"{run} does not fit the horizon")
        if not is_eligible(doc, ivs[i], nbs[n]):
            out.append(f"{n} is not eligible for {i}")

    sp = _spend(doc, plan)

    # Point 2: corporation budget, partner budgets.
    out += _limit_violations("budget", sp.corp_by_year, doc.get("budget"), start)
    for p in doc.get("partners") or []:
        out += _limit_violations(
            f"partner {p['key']}", sp.partner_by_year.get(p["key"], zeros), p.get("budget"), start
        )

    # Point 3: resources per calendar year.
    for r, res in (doc.get("resources") or {}).items():
        out += _limit_violations(
            f"resource {r}", sp.resource_by_year.get(r, zeros), {"per_year": res.get("per_year")},
            start,
        )

    # Point 11: spending rules on the corporation's part.
    for d, lim in (rl.get("domain_budget") or {}).items():
        out += _limit_violations(f"domain_budget {d}", sp.domain_by_year.get(d, zeros), lim, start)

    total = sp.corp_total
    for d, bounds in (rl.get("domain_share") or {}).items():
        spend_d = sum(sp.domain_by_year.get(d, zeros))
        lo = float(bounds.get("min", 0.0))
        hi = float(bounds.get("max", 1.0))
        if not _le(lo * total, spend_d):
            out.append(f"domain_share {d}: {spend_d:.2f} < {lo} x {total:.2f}")
        if not _le(spend_d, hi * total):
            out.append(f"domain_share {d}: {spend_d:.2f} > {hi} x {total:.2f}")

    for idx, area in enumerate(rl.get("area_budget") or []):
        in_area = [
            n
            for n, nb in nbs.items()
            if (area.get("municipality") is None or nb.get("municipality") == area["municipality"])
            and (area.get("district") is None or nb.get("district") == area["district"])
        ]
        by_year = [sum(sp.nb_by_year.get(n, zeros)[t] for n in in_area) for t in range(h)]
        out += _limit_violations(f"area_budget[{idx}]", by_year, area, start)

    share = rl.get("max_neighbourhood_share")
    if share is not None:
        for n in nbs:
            spend_n = sum(sp.nb_by_year.get(n, zeros))
            if not _le(spend_n, float(share) * total):
                out.append(f"max_neighbourhood_share {n}: {spend_n:.2f} > {share} x {total:.2f}")

    cap = rl.get("cap_per_regulated_home")
    if cap is not None:
        for n, nb in nbs.items():
            limit = float(cap) * float(nb.get("regulated_homes", 0) or 0)
            for t, amount in enumerate(sp.capped_nb_by_year.get(n, zeros)):
                if not _le(amount, limit):
                    out.append(
                        f"cap_per_regulated_home {n} {start + t}: {amount:.2f} > {limit:.2f}"
                    )

    # Point 9: locks.
    for lock in rl.get("locks") or []:
        i, n = lock["intervention"], lock["neighbourhood"]
        year = lock.get("start_year")
        matching = [
            r for r in plan
            if r[0] == i and r[1] == n and (year is None or start + r[2] == year)
        ]
        if lock["fund"] and not matching:
            out.append(f"lock: {i} in {n} must be funded" + (f" from {year}" if year else ""))
        if not lock["fund"] and matching:
            out.append(f"lock: {i} in {n} must not be funded" + (f" from {year}" if year else ""))

    # Point 10: exclusive groups, prerequisites, counts.
    groups: dict[str, set[str]] = {}
    for iv in ivs.values():
        if iv.get("exclusive_group") is not None:
            groups.setdefault(iv["exclusive_group"], set()).add(iv["key"])
    for grp, members in groups.items():
        for n in nbs:
            count = sum(1 for r in plan if r[1] == n and r[0] in members)
            if count > 1:
                out.append(f"exclusive_group {grp}: {count} runs in {n}")

    for i_run, n_run, s_run in plan:
        for req in ivs[i_run].get("requires") or []:
            if not any(r[0] == req and r[1] == n_run and r[2] <= s_run for r in plan):
                out.append(f"{i_run} in {n_run} at {start + s_run} requires {req}")

    for i, iv in ivs.items():
        limit = iv["max_per_neighbourhood"] if "max_per_neighbourhood" in iv else 1
        if limit is not None:
            for n in nbs:
                count = sum(1 for r in plan if r[0] == i and r[1] == n)
                if count > limit:
                    out.append(f"max_per_neighbourhood {i}: {count} runs in {n}")
        if iv.get("max_total") is not None:
            distinct = {r[1] for r in plan if r[0] == i}
            if len(distinct) > int(iv["max_total"]):
                out.append(f"max_total {i}: {len(distinct)} neighbourhoods")
    return out


# --------------------------------------------------------------------------------------------
# Brute force
# --------------------------------------------------------------------------------------------

MAX_CANDIDATES = 12


def brute_force(doc: dict, limit: int = MAX_CANDIDATES) -> tuple[float | None, list[Run]]:
    """Best value over every subset of the candidates that breaks no rule.

    Returns (None, []) when no subset is feasible. Ties keep the first subset found in
    enumeration order (subsets as bit masks 0 ... 2^n - 1).
    """
    cands = candidates(doc)
    if len(cands) > limit:
        raise ValueError(f"{len(cands)} candidates: too many to enumerate")
    best_value: float | None = None
    best_plan: list[Run] = []
    for mask in range(1 << len(cands)):
        plan = [c for k, c in enumerate(cands) if mask >> k & 1]
        if plan_violations(doc, plan):
            continue
        value = plan_value(doc, plan)
        if best_value is None or value > best_value + 1e-9 * max(1.0, abs(value)):
            best_value, best_plan = value, plan
    return best_value, best_plan
