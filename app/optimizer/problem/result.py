"""The recommendation's tables (DESIGN §4) computed from a chosen plan."""

from __future__ import annotations

import numpy as np

from app.optimizer.problem.instance import Instance
from app.optimizer.problem.value import (
    cell_factor,
    cell_value,
    credited,
    improvement,
    piece_weights,
)
from app.schemas.recommendation import (
    Allocation,
    AreaSpend,
    DomainSpend,
    Improvement,
    NeighbourhoodSpend,
    PartnerSpend,
    ResourceUse,
    Spend,
    YearSpend,
)


def run_values(inst: Instance, chosen: np.ndarray) -> dict[int, float]:
    """Per funded candidate: the objective lost if that run alone were dropped."""
    effect = improvement(inst, chosen)
    factor = cell_factor(inst)
    weights = piece_weights(inst)
    base = cell_value(inst, effect, weights=weights)
    lost = {}
    for c in np.flatnonzero(chosen).tolist():
        i, n = int(inst.cand_i[c]), int(inst.cand_n[c])
        # Dropping the run changes its own neighbourhood's cells only.
        without = effect[n] - inst.effects[i][:, None] * inst.effect_years[c][None, :]
        hood = np.array([n])
        lost[c] = float(
            (factor[n] * (base[n] - cell_value(inst, without[None], hood, weights)[0])).sum()
        )
    return lost


def allocations(inst: Instance, chosen: np.ndarray) -> list[Allocation]:
    primary = inst.primary_domain()
    names = [n.name for n in inst.scenario.neighbourhoods]
    rows = []
    for c, lost in run_values(inst, chosen).items():
        i, n, s = int(inst.cand_i[c]), int(inst.cand_n[c]), int(inst.cand_s[c])
        corporation = float(inst.corporation[c].sum())
        rows.append(
            Allocation(
                intervention=inst.intervention_keys[i],
                neighbourhood=inst.codes[n],
                neighbourhood_name=names[n],
                start_year=inst.calendar(s),
                run_years=[inst.calendar(int(t)) for t in np.flatnonzero(inst.run_years[c])],
                effect_years=[inst.calendar(int(t)) for t in np.flatnonzero(inst.effect_years[c])],
                total_cost=_money(inst.cost[c].sum()),
                corporation_cost=_money(corporation),
                partner_contributions={
                    key: _money(inst.partner_pay[c, p].sum())
                    for p, key in enumerate(inst.partner_keys)
                    if inst.partner_pay[c, p].sum() > 0
                },
                primary_domain=inst.domain_keys[int(primary[c])],
                value=round(lost, 6),
                value_per_corporation_euro=round(lost / corporation, 9)
                if corporation > 0
                else None,
            )
        )
    rows.sort(key=lambda a: (a.neighbourhood, a.intervention, a.start_year))
    return rows


def _money(amount: float) -> float:
    return round(float(amount), 2)


def _years(inst: Instance, amounts: np.ndarray, limits: list[float] | None) -> list[YearSpend]:
    return [
        YearSpend(
            year=inst.calendar(t),
            corporation=_money(amounts[t]),
            limit=None if limits is None else limits[t],
        )
        for t in range(inst.horizon)
    ]


def spend(inst: Instance, chosen: np.ndarray) -> Spend:
    s = inst.scenario
    runs = np.flatnonzero(chosen)
    corporation = inst.corporation[runs]
    total = float(corporation.sum())
    primary = inst.primary_domain()[runs]
    hoods = inst.cand_n[runs]

    def share(amount: float) -> float | None:
        return round(amount / total, 6) if total > 0 else None

    per_domain = []
    for d, key in enumerate(inst.domain_keys):
        amounts = corporation[primary == d].sum(axis=0)
        bounds = s.rules.domain_share.get(key)
        limit = s.rules.domain_budget.get(key)
        per_domain.append(
            DomainSpend(
                domain=key,
                corporation=_money(amounts.sum()),
                share=share(float(amounts.sum())),
                min_share=bounds.min if bounds else None,
                max_share=bounds.max if bounds else None,
                budget_total=limit.total if limit else None,
                per_year=_years(inst, amounts, limit.per_year if limit else None),
            )
        )
    per_partner = []
    for p, partner in enumerate(s.partners):
        amounts = inst.partner_pay[runs, p].sum(axis=0)
        per_partner.append(
            PartnerSpend(
                partner=partner.key,
                total=_money(amounts.sum()),
                limit_total=partner.budget.total,
                per_year=_years(inst, amounts, partner.budget.per_year),
            )
        )
    cap = s.rules.cap_per_regulated_home
    per_neighbourhood = []
    for n in sorted(set(hoods.tolist())):
        amounts = corporation[hoods == n].sum(axis=0)
        cap_per_year = None if cap is None else cap * float(inst.regulated_homes[n])
        per_neighbourhood.append(
            NeighbourhoodSpend(
                neighbourhood=inst.codes[n],
                corporation=_money(amounts.sum()),
                share=share(float(amounts.sum())),
                max_share=s.rules.max_neighbourhood_share,
                cap_per_year=cap_per_year,
                per_year=_years(inst, amounts, None),
            )
        )
    per_area = []
    for area in s.rules.area_budget:
        inside = np.array([area.covers(n) for n in s.neighbourhoods])
        amounts = corporation[inside[hoods]].sum(axis=0)
        per_area.append(
            AreaSpend(
                municipality=area.municipality,
                district=area.district,
                corporation=_money(amounts.sum()),
                limit_total=area.total,
                per_year=_years(inst, amounts, area.per_year),
            )
        )
    per_resource = [
        ResourceUse(
            resource=key,
            year=inst.calendar(t),
            used=round(float(inst.uses[runs, r, t].sum()), 6),
            limit=s.resources[key].per_year[t],
        )
        for r, key in enumerate(inst.resource_keys)
        for t in range(inst.horizon)
    ]
    partners_total = float(inst.partner_pay[runs].sum())
    return Spend(
        corporation_total=_money(total),
        corporation_limit=s.budget.total,
        partners_total=_money(partners_total),
        cost_total=_money(inst.cost[runs].sum()),
        per_year=_years(inst, corporation.sum(axis=0), s.budget.per_year),
        per_domain=per_domain,
        per_partner=per_partner,
        per_neighbourhood=per_neighbourhood,
        per_area=per_area,
        per_resource=per_resource,
    )


def improvements(inst: Instance, chosen: np.ndarray) -> list[Improvement]:
    effect = improvement(inst, chosen)
    closed = credited(inst, effect)
    domain_index = {key: d for d, key in enumerate(inst.domain_keys)}
    rows = []
    for n, hood in enumerate(inst.scenario.neighbourhoods):
        for key in hood.scores:
            d = domain_index[key]
            for t in range(inst.horizon):
                q = float(inst.projection[n, d, t])
                rows.append(
                    Improvement(
                        neighbourhood=hood.code,
                        domain=key,
                        year=inst.calendar(t),
                        without_plan=round(q, 6),
                        with_plan=round(q + float(effect[n, d, t]), 6),
                        gap=round(float(inst.gap[n, d, t]), 6),
                        gap_closed=round(float(closed[n, d, t]), 6),
                    )
                )
    return rows
