"""The MILP of DESIGN §3, built through PuLP from the compiled instance.

One decision x(c) ∈ {0,1} per candidate c = (i, n, s): fund the run of i in n starting in year s.
Every rule is one expression per constraint, assembled from arrays (never `+=` in a loop); money
is in k€ inside the model so that coefficients stay near 1.

Value (points 6–7). Per cell (n,d,t) with a gap, the gap is cut into S pieces y(k) ≤ g/S with
objective weight F × ω(k) (F = weight(d) × homes(n) × (1+r)^−t). The pieces are linked to the
decisions by one row per depth K that can bind:

    Σ_{k<K} y(k) ≤ Σ_c min(e_c, K·g/S) · x(c)

Row K = S is the plain link with the effect coefficient tightened to min(e, g); rows K < S are
valid because improvement fills the gap deepest first, and they make the relaxation exact for
any single run (a fractional run earns that fraction of its true value, not of the deepest
piece). Rows K < S are left out when every effect in the cell fits in K pieces: then row S
implies them. Without `cap_at_target` each effect earns weight 1 directly on x and the pieces
carry only the prioritarian surplus ω − 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pulp

from app.optimizer.instance import Instance
from app.optimizer.value import cell_factor, piece_weights, segment_count

MONEY_SCALE = 1000.0  # euros per model unit
RowTerms = list[tuple[pulp.LpVariable, float]]


@dataclass
class Model:
    problem: pulp.LpProblem
    x: list[pulp.LpVariable]
    columns: list[pulp.LpVariable] = field(default_factory=list)
    rows: list[pulp.LpConstraint] = field(default_factory=list)
    row_kinds: list[str] = field(default_factory=list)
    arrays: object | None = None  # the flat arrays for HiGHS, see `arrays.model_arrays`


class _Builder:
    def __init__(self, inst: Instance, plain: bool):
        self.inst = inst
        self.plain = plain
        self.problem = pulp.LpProblem("onderbouwd", pulp.LpMaximize)
        self.columns: list[pulp.LpVariable] = []
        self.rows: list[pulp.LpConstraint] = []
        self.row_kinds: list[str] = []
        self.x = [self.variable(f"x{c}", 0, 1, pulp.LpBinary) for c in range(inst.n_candidates)]

    def variable(self, name: str, low: float, up: float | None, cat: str) -> pulp.LpVariable:
        var = self.problem.add_variable(name, low, up, cat=cat)
        self.columns.append(var)
        return var

    def row(
        self, kind: str, terms: Iterable[tuple[pulp.LpVariable, float]], sense: int, rhs: float
    ) -> None:
        expression = pulp.LpAffineExpression(terms)
        constraint = pulp.LpConstraint(expression, sense=sense, rhs=rhs)
        name = f"r{len(self.rows)}"
        self.problem.addConstraint(constraint, name)
        self.rows.append(constraint)
        self.row_kinds.append(kind)

    def spend_terms(self, candidates: np.ndarray, coefficients: np.ndarray) -> RowTerms:
        keep = coefficients != 0
        return [
            (self.x[c], float(a) / MONEY_SCALE)
            for c, a in zip(candidates[keep], coefficients[keep], strict=True)
        ]

    def cap_row(
        self, kind: str, candidates: np.ndarray, coefficients: np.ndarray, limit: float
    ) -> None:
        """Σ coefficient × x ≤ limit, left out when even funding everything stays within it."""
        if not self.plain and coefficients[candidates].sum() <= limit + 1e-9:
            return
        self.row(
            kind,
            self.spend_terms(candidates, coefficients[candidates]),
            pulp.LpConstraintLE,
            limit / MONEY_SCALE,
        )


def build_model(inst: Instance, plain: bool = False) -> Model:
    """The model of DESIGN §3. `plain=True` builds what a competent first formulation would be
    (untightened effects, one link row per cell, share rows summed over every decision, every
    limit row kept): the same optimum, kept so that the benchmark can show what ours buys."""
    builder = _Builder(inst, plain)
    objective = _value_terms(builder)
    _money_rows(builder)
    _share_rows(builder)
    _combinatorial_rows(builder)
    builder.problem.setObjective(pulp.LpAffineExpression(objective))
    return Model(builder.problem, builder.x, builder.columns, builder.rows, builder.row_kinds)


def _value_terms(b: _Builder) -> RowTerms:
    inst = b.inst
    cap = inst.scenario.objective.cap_at_target
    segments = segment_count(inst)
    factor = cell_factor(inst)
    weights = piece_weights(inst)
    objective: RowTerms = []
    effect_of = inst.effects[inst.cand_i]  # (C,D)
    if not cap:
        # Weight 1 on every unit of effect inside the horizon, gap or not.
        direct = np.einsum(
            "cd,cdt->c",
            effect_of,
            factor[inst.cand_n] * inst.effect_years[:, None, :],
        )
        objective += [(b.x[c], float(direct[c])) for c in np.flatnonzero(direct)]
        weights = weights - 1.0
    cells: dict[tuple[int, int, int], list[tuple[int, float]]] = defaultdict(list)
    for d in range(len(inst.domain_keys)):
        affects = np.flatnonzero(effect_of[:, d] > 0)
        for t in range(inst.horizon):
            active = affects[inst.effect_years[affects, t]]
            active = active[inst.gap[inst.cand_n[active], d, t] > 0]
            for c in active:
                cells[(int(inst.cand_n[c]), d, t)].append((int(c), float(effect_of[c, d])))
    for (n, d, t), runs in sorted(cells.items()):
        gap = float(inst.gap[n, d, t])
        width = gap / segments
        omega = weights[n, d, t]
        if not np.any(omega > 0):
            continue
        pieces = [
            b.variable(f"y{n}_{d}_{t}_{k}", 0, width, pulp.LpContinuous) for k in range(segments)
        ]
        objective += [(y, float(factor[n, d, t] * w)) for y, w in zip(pieces, omega, strict=True)]
        largest_effect = max(e for _, e in runs)
        for depth in range(1, segments + 1):
            if depth < segments and (b.plain or largest_effect <= depth * width):
                continue
            reach = np.inf if b.plain else min(depth * width, gap)
            terms: RowTerms = [(y, 1.0) for y in pieces[:depth]]
            terms += [(b.x[c], -min(e, reach)) for c, e in runs]
            b.row("value_link", terms, pulp.LpConstraintLE, 0.0)
    return objective


def _money_rows(b: _Builder) -> None:
    inst = b.inst
    s = inst.scenario
    every = np.arange(inst.n_candidates)
    corporation_total = inst.corporation.sum(axis=1)
    _limit_rows(
        b, "budget", every, inst.corporation, corporation_total, s.budget.total, s.budget.per_year
    )
    for p, partner in enumerate(s.partners):
        pay = inst.partner_pay[:, p, :]
        _limit_rows(
            b,
            f"partner:{partner.key}",
            every,
            pay,
            pay.sum(axis=1),
            partner.budget.total,
            partner.budget.per_year,
        )
    for r, (key, resource) in enumerate(s.resources.items()):
        for t, capacity in enumerate(resource.per_year):
            use = inst.uses[:, r, t] * MONEY_SCALE  # capacity is not money: undo the scaling
            b.cap_row(f"resource:{key}:{t}", every, use, capacity * MONEY_SCALE)
    primary = inst.primary_domain()
    for key, limit in s.rules.domain_budget.items():
        members = np.flatnonzero(primary == inst.domain_keys.index(key))
        _limit_rows(
            b,
            f"domain_budget:{key}",
            members,
            inst.corporation,
            corporation_total,
            limit.total,
            limit.per_year,
        )
    for a, area in enumerate(s.rules.area_budget):
        inside = np.array([area.covers(n) for n in s.neighbourhoods])
        members = np.flatnonzero(inside[inst.cand_n])
        _limit_rows(
            b,
            f"area_budget:{a}",
            members,
            inst.corporation,
            corporation_total,
            area.total,
            area.per_year,
        )
    cap = s.rules.cap_per_regulated_home
    if cap is not None:
        counting = np.array([i.counts_toward_cap for i in s.interventions])[inst.cand_i]
        for n, own in enumerate(inst.by_neighbourhood):
            members = own[counting[own]]
            if members.size == 0:
                continue
            for t in range(inst.horizon):
                b.cap_row(
                    f"cap_per_regulated_home:{n}:{t}",
                    members,
                    inst.corporation[:, t],
                    cap * float(inst.regulated_homes[n]),
                )


def _limit_rows(
    b: _Builder,
    kind: str,
    members: np.ndarray,
    per_year: np.ndarray,
    total: np.ndarray,
    total_limit: float | None,
    year_limits: list[float] | None,
) -> None:
    if total_limit is not None:
        b.cap_row(f"{kind}:total", members, total, total_limit)
    for t, limit in enumerate(year_limits or []):
        b.cap_row(f"{kind}:{t}", members, per_year[:, t], limit)


def _share_rows(b: _Builder) -> None:
    """Point 11: shares of total spend go through one total-spend variable T."""
    inst = b.inst
    rules = inst.scenario.rules
    bounded = {k: v for k, v in rules.domain_share.items() if v.min > 0 or v.max < 1}
    if not bounded and rules.max_neighbourhood_share is None:
        return
    spend = inst.corporation.sum(axis=1)
    every = np.arange(inst.n_candidates)
    if b.plain:
        _dense_share_rows(b, spend)
        return
    total = b.variable("total_spend", 0, None, pulp.LpContinuous)
    b.row(
        "total_spend",
        [(total, 1.0), *[(x, -a) for x, a in b.spend_terms(every, spend)]],
        pulp.LpConstraintEQ,
        0.0,
    )
    primary = inst.primary_domain()
    for key, bounds in bounded.items():
        members = np.flatnonzero(primary == inst.domain_keys.index(key))
        terms = b.spend_terms(members, spend[members])
        if bounds.min > 0:
            b.row(
                f"domain_share_min:{key}", [*terms, (total, -bounds.min)], pulp.LpConstraintGE, 0.0
            )
        if bounds.max < 1:
            b.row(
                f"domain_share_max:{key}", [*terms, (total, -bounds.max)], pulp.LpConstraintLE, 0.0
            )
    share = rules.max_neighbourhood_share
    if share is not None and share < 1:
        for n, members in enumerate(inst.by_neighbourhood):
            if spend[members].sum() == 0:
                continue
            b.row(
                f"max_neighbourhood_share:{n}",
                [*b.spend_terms(members, spend[members]), (total, -share)],
                pulp.LpConstraintLE,
                0.0,
            )


def _dense_share_rows(b: _Builder, spend: np.ndarray) -> None:
    """share × Σ every decision's spend, written out in each share row."""
    inst = b.inst
    rules = inst.scenario.rules
    primary = inst.primary_domain()
    every = np.arange(inst.n_candidates)

    def share_row(kind: str, members: np.ndarray, share: float, sense: int) -> None:
        inside = np.zeros(inst.n_candidates)
        inside[members] = spend[members]
        b.row(kind, b.spend_terms(every, inside - share * spend), sense, 0.0)

    for key, bounds in rules.domain_share.items():
        members = np.flatnonzero(primary == inst.domain_keys.index(key))
        if bounds.min > 0:
            share_row(f"domain_share_min:{key}", members, bounds.min, pulp.LpConstraintGE)
        if bounds.max < 1:
            share_row(f"domain_share_max:{key}", members, bounds.max, pulp.LpConstraintLE)
    share = rules.max_neighbourhood_share
    if share is not None and share < 1:
        for n, members in enumerate(inst.by_neighbourhood):
            if members.size:
                share_row(f"max_neighbourhood_share:{n}", members, share, pulp.LpConstraintLE)


def _combinatorial_rows(b: _Builder) -> None:
    """Points 9–10: locks, exclusive groups, prerequisites, counts per pair and in total."""
    inst = b.inst
    s = inst.scenario
    index = {
        (int(i), int(n), int(t)): c
        for c, (i, n, t) in enumerate(zip(inst.cand_i, inst.cand_n, inst.cand_s, strict=True))
    }
    by_pair: dict[tuple[int, int], list[int]] = defaultdict(list)
    pairs_of: dict[int, list[int]] = defaultdict(list)  # intervention → its neighbourhoods
    for (i, n, _), c in index.items():
        if (i, n) not in by_pair:
            pairs_of[i].append(n)
        by_pair[(i, n)].append(c)
    key_index = {key: i for i, key in enumerate(inst.intervention_keys)}
    code_index = {code: n for n, code in enumerate(inst.codes)}

    for lock in s.rules.locks:
        pair = by_pair.get((key_index[lock.intervention], code_index[lock.neighbourhood]), [])
        matching = [
            c
            for c in pair
            if lock.start_year is None or inst.calendar(int(inst.cand_s[c])) == lock.start_year
        ]
        if lock.fund:
            b.row(
                f"lock_in:{lock.intervention}:{lock.neighbourhood}",
                [(b.x[c], 1.0) for c in matching],
                pulp.LpConstraintGE,
                1.0,
            )
        else:
            for c in matching:
                b.x[c].upBound = 0

    groups: dict[str, list[int]] = defaultdict(list)
    for i, intervention in enumerate(s.interventions):
        if intervention.exclusive_group is not None:
            groups[intervention.exclusive_group].append(i)
    for group, members in groups.items():
        for n in sorted({n for i in members for n in pairs_of[i]}):
            runs = [c for i in members for c in by_pair.get((i, n), [])]
            if len(runs) > 1:
                b.row(
                    f"exclusive:{group}:{n}",
                    [(b.x[c], 1.0) for c in runs],
                    pulp.LpConstraintLE,
                    1.0,
                )

    for (i, n, t), c in index.items():
        # With at most one run of i in n, "i started by year t needs j started by year t" can
        # be written cumulatively: Σ_{s≤t} x(i,n,s) ≤ Σ_{s≤t} x(j,n,s). That is valid only then
        # (one run of j may serve several runs of i) and gives the integral hull of the pair.
        single = s.interventions[i].max_per_neighbourhood == 1 and not b.plain
        mine = [index[(i, n, u)] for u in range(t + 1) if (i, n, u) in index] if single else [c]
        for required in s.interventions[i].requires:
            j = key_index[required]
            earlier = [index[(j, n, u)] for u in range(t + 1) if (j, n, u) in index]
            b.row(
                f"requires:{inst.intervention_keys[i]}:{required}",
                [*[(b.x[e], 1.0) for e in mine], *[(b.x[e], -1.0) for e in earlier]],
                pulp.LpConstraintLE,
                0.0,
            )

    for i, intervention in enumerate(s.interventions):
        most = intervention.max_per_neighbourhood
        pairs = [(n, by_pair[(i, n)]) for n in sorted(pairs_of[i])]
        if most is not None:
            for n, runs in pairs:
                if len(runs) > most:
                    b.row(
                        f"max_per_neighbourhood:{intervention.key}:{n}",
                        [(b.x[c], 1.0) for c in runs],
                        pulp.LpConstraintLE,
                        float(most),
                    )
        if intervention.max_total is None or len(pairs) <= intervention.max_total:
            continue
        if most == 1:
            terms = [(b.x[c], 1.0) for _, runs in pairs for c in runs]
        else:
            terms = []
            for n, runs in pairs:
                used = b.variable(f"u{i}_{n}", 0, 1, pulp.LpContinuous)
                terms.append((used, 1.0))
                for c in runs:
                    b.row(
                        f"uses_pair:{intervention.key}:{n}",
                        [(b.x[c], 1.0), (used, -1.0)],
                        pulp.LpConstraintLE,
                        0.0,
                    )
        b.row(
            f"max_total:{intervention.key}",
            terms,
            pulp.LpConstraintLE,
            float(intervention.max_total),
        )
