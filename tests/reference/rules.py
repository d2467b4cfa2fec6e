"""The rules a plan must keep (DESIGN §3 points 1-3, 8-11), each break as a readable line."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.reference.document import (
    Run,
    fits,
    horizon,
    interventions,
    is_eligible,
    neighbourhoods,
    rules,
)
from tests.reference.payments import run_payments

REL_TOL = 1e-6


def _le(lhs: float, rhs: float) -> bool:
    """lhs <= rhs up to a small relative tolerance (money and capacity comparisons)."""
    return lhs <= rhs + REL_TOL * max(1.0, abs(lhs), abs(rhs))


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
            f"resource {r}",
            sp.resource_by_year.get(r, zeros),
            {"per_year": res.get("per_year")},
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
            r for r in plan if r[0] == i and r[1] == n and (year is None or start + r[2] == year)
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
