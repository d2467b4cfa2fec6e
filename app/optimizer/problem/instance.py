"""The scenario compiled to arrays: every number the model, the result and the explanation use.

Indices: n neighbourhood, d domain, t year of the horizon (0 … H−1), i intervention, c candidate
(i, n, s) with start year s. Everything here follows DESIGN §3's numbered meaning; the point
numbers are cited where a rule is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from app.schemas.scenario import Eligibility, Intervention, Scenario


@dataclass(frozen=True)
class Instance:
    scenario: Scenario
    horizon: int
    start_year: int
    domain_keys: list[str]
    domain_weight: np.ndarray  # (D,)
    codes: list[str]
    homes: np.ndarray  # (N,)
    regulated_homes: np.ndarray  # (N,)
    intervention_keys: list[str]
    partner_keys: list[str]
    resource_keys: list[str]
    projection: np.ndarray  # q(n,d,t), (N,D,H)
    gap: np.ndarray  # g(n,d,t), (N,D,H)
    largest_gap: np.ndarray  # G(d), (D,)
    eligible: np.ndarray  # (I,N) bool
    effects: np.ndarray  # (I,D) score points per effect year
    cand_i: np.ndarray  # (C,)
    cand_n: np.ndarray
    cand_s: np.ndarray
    run_years: np.ndarray  # (C,H) bool
    effect_years: np.ndarray  # (C,H) bool
    cost: np.ndarray  # (C,H) total cost per calendar year, euros
    corporation: np.ndarray  # (C,H) the corporation's part (point 2)
    partner_pay: np.ndarray  # (C,P,H)
    uses: np.ndarray  # (C,R,H)
    year_factor: np.ndarray  # (H,) discounting (1+r)^−t

    @property
    def n_candidates(self) -> int:
        return int(self.cand_i.shape[0])

    @cached_property
    def by_neighbourhood(self) -> list[np.ndarray]:
        """The candidates of each neighbourhood, in candidate order."""
        order = np.argsort(self.cand_n, kind="stable")
        edges = np.searchsorted(self.cand_n[order], np.arange(len(self.codes) + 1))
        return [order[edges[n] : edges[n + 1]] for n in range(len(self.codes))]

    @cached_property
    def domain_labels(self) -> dict[str, str]:
        """Each domain key's label (the key itself when it has none)."""
        return {d.key: d.label or d.key for d in self.scenario.domain_catalogue()}

    def calendar(self, t: int) -> int:
        return self.start_year + t

    def most_corporation_spend(self) -> float:
        """The most the corporation can spend over the horizon on any plan that keeps its
        budget: no more than its total, the sum of its years, or every candidate at once."""
        budget = self.scenario.budget
        limits = [float(self.corporation.sum())]
        if budget.total is not None:
            limits.append(budget.total)
        if budget.per_year is not None:
            limits.append(sum(budget.per_year))
        return min(limits)

    def primary_domain(self) -> np.ndarray:
        """Index of each candidate's primary domain, (C,)."""
        index = {key: d for d, key in enumerate(self.domain_keys)}
        per_intervention = np.array(
            [index[i.domain] for i in self.scenario.interventions], dtype=np.int64
        )
        return per_intervention[self.cand_i]


def compile_instance(scenario: Scenario) -> Instance:
    horizon = scenario.horizon_years
    domains = scenario.domain_catalogue()
    domain_keys = [d.key for d in domains]
    domain_index = {key: d for d, key in enumerate(domain_keys)}
    hoods = scenario.neighbourhoods
    homes = np.array([n.homes for n in hoods], dtype=float)
    projection, gap = _projection_and_gap(scenario, domain_index)
    effects = np.zeros((len(scenario.interventions), len(domain_keys)))
    for i, intervention in enumerate(scenario.interventions):
        for key, value in intervention.effects.items():
            effects[i, domain_index[key]] = value
    eligible = np.array(
        [_eligible_row(i, scenario, gap, domain_index) for i in scenario.interventions],
        dtype=bool,
    ).reshape(len(scenario.interventions), len(hoods))
    partner_keys = [p.key for p in scenario.partners]
    resource_keys = list(scenario.resources)
    blocks = [
        _candidate_block(
            i, s, intervention, scenario, eligible[i], homes, partner_keys, resource_keys
        )
        for i, intervention in enumerate(scenario.interventions)
        for s in range(horizon)
    ]
    present = [b for b in blocks if b is not None]
    n_p, n_r = len(partner_keys), len(resource_keys)

    def stack(field: int, shape: tuple[int, ...], dtype: type = float) -> np.ndarray:
        if not present:
            return np.zeros((0, *shape), dtype=dtype)
        return np.concatenate([b[field] for b in present])

    rate = scenario.objective.discount_rate
    return Instance(
        scenario=scenario,
        horizon=horizon,
        start_year=scenario.start_year,
        domain_keys=domain_keys,
        domain_weight=np.array([d.weight for d in domains], dtype=float),
        codes=[n.code for n in hoods],
        homes=homes,
        regulated_homes=np.array([n.regulated_homes for n in hoods], dtype=float),
        intervention_keys=[i.key for i in scenario.interventions],
        partner_keys=partner_keys,
        resource_keys=resource_keys,
        projection=projection,
        gap=gap,
        largest_gap=gap.max(axis=(0, 2)) if gap.size else np.zeros(len(domain_keys)),
        eligible=eligible,
        effects=effects,
        cand_i=stack(0, (), np.int64),
        cand_n=stack(1, (), np.int64),
        cand_s=stack(2, (), np.int64),
        run_years=stack(3, (horizon,), bool),
        effect_years=stack(4, (horizon,), bool),
        cost=stack(5, (horizon,)),
        corporation=stack(6, (horizon,)),
        partner_pay=stack(7, (n_p, horizon)),
        uses=stack(8, (n_r, horizon)),
        year_factor=(1.0 + rate) ** -np.arange(horizon, dtype=float),
    )


def _projection_and_gap(
    scenario: Scenario, domain_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Point 4: q = score + trend × (start_year + t − score_year); g = max(0, target − q)."""
    horizon = scenario.horizon_years
    shape = (len(scenario.neighbourhoods), len(domain_index), horizon)
    projection = np.zeros(shape)
    gap = np.zeros(shape)
    years = scenario.start_year + np.arange(horizon)
    for n, hood in enumerate(scenario.neighbourhoods):
        for key, s in hood.scores.items():
            d = domain_index[key]
            measured = s.score_year if s.score_year is not None else scenario.start_year - 1
            projection[n, d] = s.score + s.trend * (years - measured)
            gap[n, d] = np.maximum(0.0, s.target - projection[n, d])
    return projection, gap


def _eligible_row(
    intervention: Intervention, scenario: Scenario, gap: np.ndarray, domain_index: dict[str, int]
) -> np.ndarray:
    """Point 8: null = everywhere; a list of codes; or codes and/or a minimum gap at t = 0."""
    codes = [n.code for n in scenario.neighbourhoods]
    rule = intervention.eligible
    if rule is None:
        return np.ones(len(codes), dtype=bool)
    if isinstance(rule, list):
        return np.isin(codes, rule)
    assert isinstance(rule, Eligibility)
    row = np.ones(len(codes), dtype=bool) if rule.codes is None else np.isin(codes, rule.codes)
    for key, minimum in (rule.min_gap or {}).items():
        row &= gap[:, domain_index[key], 0] >= minimum
    return row


def _per_run_year(value: float | list[float], length: int) -> np.ndarray:
    if isinstance(value, list):
        return np.asarray(value[:length], dtype=float)
    return np.full(length, float(value))


def _candidate_block(
    i: int,
    s: int,
    intervention: Intervention,
    scenario: Scenario,
    eligible: np.ndarray,
    homes: np.ndarray,
    partner_keys: list[str],
    resource_keys: list[str],
) -> tuple[np.ndarray, ...] | None:
    """All candidates (i, n, s) over the eligible n, or None when the run cannot fit (point 1)."""
    horizon = scenario.horizon_years
    duration = intervention.duration_years or horizon - s
    if s + duration > horizon:
        return None
    hoods = np.flatnonzero(eligible)
    count = hoods.size
    if count == 0:
        return None
    run = np.zeros(horizon, dtype=bool)
    run[s : s + duration] = True
    effect = np.zeros(horizon, dtype=bool)
    lag = intervention.lag_years
    effect_end = horizon if intervention.effect_persists else min(horizon, s + lag + duration)
    effect[min(horizon, s + lag) : effect_end] = True

    fixed = _per_run_year(intervention.cost.fixed, duration)
    per_home = _per_run_year(intervention.cost.per_home, duration)
    run_cost = fixed[None, :] + per_home[None, :] * homes[hoods, None]  # (count, duration)
    # Point 2: contributions in the listed order, each never beyond what is left of the year.
    remaining = run_cost.copy()
    pay = np.zeros((count, len(partner_keys), horizon))
    partner_index = {key: p for p, key in enumerate(partner_keys)}
    for contribution in intervention.partner_contributions:
        if contribution.share is not None:
            wanted = contribution.share * run_cost
        else:
            wanted = np.full_like(run_cost, contribution.amount_per_year or 0.0)
        paid = np.minimum(remaining, wanted)
        remaining -= paid
        pay[:, partner_index[contribution.partner], s : s + duration] += paid
    cost = np.zeros((count, horizon))
    cost[:, s : s + duration] = run_cost
    corporation = np.zeros((count, horizon))
    corporation[:, s : s + duration] = remaining
    uses = np.zeros((count, len(resource_keys), horizon))
    for r, key in enumerate(resource_keys):
        uses[:, r, s : s + duration] = intervention.uses.get(key, 0.0)
    return (
        np.full(count, i, dtype=np.int64),
        hoods.astype(np.int64),
        np.full(count, s, dtype=np.int64),
        np.repeat(run[None, :], count, axis=0),
        np.repeat(effect[None, :], count, axis=0),
        cost,
        corporation,
        pay,
        uses,
    )
