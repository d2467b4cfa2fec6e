"""The MILP of DESIGN §3, built as arrays from the compiled instance; PuLP's objects on demand.

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

import gc
from collections.abc import Iterator
from itertools import chain

import numpy as np
import pulp

from app.optimizer.model.combinatorial import combinatorial_rows
from app.optimizer.model.matrix import (
    EQ,
    GE,
    IMPLIED,
    INF,
    LE,
    Collector,
    ColumnBlock,
    ModelArrays,
    csr,
    row_sides,
)
from app.optimizer.model.pulp_objects import PulpModel, PulpParts, pulp_model
from app.optimizer.model.value_rows import value_rows
from app.optimizer.problem.instance import Instance
from app.optimizer.problem.lines import MONEY_SCALE


class Model:
    """A built model: the arrays every HiGHS stage reads, the kind of each row, the column names,
    and PuLP's objects, made from the same numbers the first time something asks for them (CBC,
    the full MIP through PuLP). The staged HiGHS solve reads only the arrays: at national scale
    the PuLP objects alone would be 2.2 GiB that it never touches."""

    def __init__(
        self,
        arrays: ModelArrays,
        row_kinds: list[str],
        column_blocks: list[ColumnBlock],
        pulp_parts: PulpParts,
    ):
        self.arrays = arrays
        self.row_kinds = row_kinds
        self.column_blocks = column_blocks  # the decisions x first, then pieces, pairs, totals
        self._pulp_parts = pulp_parts
        self._pulp: PulpModel | None = None

    @property
    def n_cols(self) -> int:
        return self.arrays.n_cols

    @property
    def n_rows(self) -> int:
        return self.arrays.n_rows

    @property
    def n_candidates(self) -> int:
        """The decision columns x(c), which come first."""
        return len(self.column_blocks[0])

    def column_names(self) -> Iterator[str]:
        """Every column's name, in column order (as `Model.columns[j].name`)."""
        return chain.from_iterable(block.name_list() for block in self.column_blocks)

    @property
    def has_pulp_objects(self) -> bool:
        return self._pulp is not None

    def _made(self) -> PulpModel:
        if self._pulp is None:
            self._pulp = pulp_model(self.arrays, self.column_blocks, self._pulp_parts)
        return self._pulp

    @property
    def problem(self) -> pulp.LpProblem:
        return self._made().problem

    @property
    def x(self) -> list[pulp.LpVariable]:
        return self._made().x

    @property
    def columns(self) -> list[pulp.LpVariable]:
        return self._made().columns

    @property
    def rows(self) -> list[pulp.LpConstraint]:
        return self._made().rows


class _Builder:
    def __init__(self, inst: Instance, plain: bool):
        self.inst = inst
        self.plain = plain
        self.out = Collector()
        self.out.add_columns(
            [f"x{c}" for c in range(inst.n_candidates)], [1] * inst.n_candidates, integer=True
        )

    def spend_row(
        self,
        kind: str,
        candidates: np.ndarray,
        coefficients: np.ndarray,
        extra: tuple[int, float] | None,
        sense: int,
        rhs: float,
    ) -> None:
        """Σ coefficient/MONEY_SCALE × x over the nonzero coefficients (+ extra column)."""
        keep = coefficients != 0
        index = candidates[keep]
        value = coefficients[keep] / MONEY_SCALE
        if extra is not None:
            index = np.r_[index, extra[0]]
            value = np.r_[value, extra[1]]
        self.out.add_row(kind, index, value, sense, rhs)

    def cap_row(
        self, kind: str, candidates: np.ndarray, coefficients: np.ndarray, limit: float
    ) -> None:
        """Σ coefficient × x ≤ limit, left out when even funding everything stays within it."""
        chosen = coefficients[candidates]
        if not self.plain and chosen.sum() <= limit + 1e-9:
            return
        self.spend_row(kind, candidates, chosen, None, LE, limit / MONEY_SCALE)


def build_model(inst: Instance, plain: bool = False) -> Model:
    """The model of DESIGN §3. `plain=True` builds what a competent first formulation would be
    (untightened effects, one link row per cell, share rows summed over every decision, every
    limit row kept): the same optimum, kept so that the benchmark can show what ours buys.

    The rows and columns are gathered as arrays first; the arrays HiGHS takes (`Model.arrays`)
    are made from them here, the PuLP problem from the same arrays when it is first asked for."""
    # Millions of names and arrays, and no cycles among them: the cyclic collector would walk
    # them again and again while they are made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        builder = _Builder(inst, plain)
        objective = value_rows(inst, builder.out, plain)
        _money_rows(builder)
        _share_rows(builder)
        locked_out = combinatorial_rows(inst, builder.out, plain)
        return _assemble(builder.out, objective, locked_out)
    finally:
        if collecting:
            gc.enable()


def _assemble(
    out: Collector, objective: tuple[np.ndarray, np.ndarray], locked_out: np.ndarray
) -> Model:
    blocks = out.rows()
    kinds = [kind for block in blocks for kind in block.kinds]
    starts, index, value = csr(blocks)
    sense, constant, row_lower, row_upper = row_sides(blocks)
    del blocks
    out.blocks = []
    objective_cols, objective_vals = objective
    n_cols = out.n_cols
    costs = np.zeros(n_cols)
    costs[objective_cols] = objective_vals
    col_upper = np.concatenate(
        [
            np.full(len(b), INF) if b.upper is None else np.asarray(b.upper, dtype=float)
            for b in out.columns
        ]
    )
    col_upper[locked_out] = 0.0
    integer = np.concatenate([np.full(len(b), b.integer) for b in out.columns])
    arrays = ModelArrays(
        costs=costs,
        col_lower=np.zeros(n_cols),
        col_upper=col_upper,
        integer=integer,
        starts=starts,
        index=index,
        value=value,
        row_lower=row_lower,
        row_upper=row_upper,
    )
    parts = PulpParts(sense, constant, objective_cols, objective_vals, locked_out)
    return Model(arrays, kinds, out.columns, parts)


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
        counting = np.array([i.counts_toward_cap for i in s.interventions], dtype=bool)[inst.cand_i]
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
    total = b.out.add_columns(["total_spend"], None, integer=False)
    keep = spend != 0
    b.out.add_row(
        "total_spend",
        np.r_[total, every[keep]],
        np.r_[1.0, -(spend[keep] / MONEY_SCALE)],
        EQ,
        0.0,
    )
    primary = inst.primary_domain()
    for key, bounds in bounded.items():
        members = np.flatnonzero(primary == inst.domain_keys.index(key))
        if bounds.min > 0:
            extra = (total, -bounds.min)
            b.spend_row(f"domain_share_min:{key}", members, spend[members], extra, GE, 0.0)
        if bounds.max < 1:
            extra = (total, -bounds.max)
            b.spend_row(f"domain_share_max:{key}", members, spend[members], extra, LE, 0.0)
    share = rules.max_neighbourhood_share
    if share is not None and share < 1:
        for n, members in enumerate(inst.by_neighbourhood):
            if spend[members].sum() == 0:
                continue
            b.spend_row(
                f"max_neighbourhood_share:{n}", members, spend[members], (total, -share), LE, 0.0
            )
        # Implied: a neighbourhood spends at most share × T, and T at most what the budget
        # allows, so the neighbourhood alone can never spend more than share × that. The LP
        # knew it already; a neighbourhood's own rows did not, and they are what the
        # Lagrangian bound's neighbourhood MIPs and HiGHS's presolve and cuts work on: written
        # out, a candidate dearer than the cap is out and the rest form a knapsack (corporation
        # scenarios at 300 neighbourhoods: the Lagrangian bound 370,708 -> 362,657 over a plan
        # of 357,712; HiGHS's root bound after presolve 362,795 against 370,956).
        most = share * inst.most_corporation_spend()
        for n, members in enumerate(inst.by_neighbourhood):
            b.cap_row(f"{IMPLIED}max_neighbourhood_share:{n}", members, spend, most)


def _dense_share_rows(b: _Builder, spend: np.ndarray) -> None:
    """share × Σ every decision's spend, written out in each share row."""
    inst = b.inst
    rules = inst.scenario.rules
    primary = inst.primary_domain()
    every = np.arange(inst.n_candidates)

    def share_row(kind: str, members: np.ndarray, share: float, sense: int) -> None:
        inside = np.zeros(inst.n_candidates)
        inside[members] = spend[members]
        b.spend_row(kind, every, inside - share * spend, None, sense, 0.0)

    for key, bounds in rules.domain_share.items():
        members = np.flatnonzero(primary == inst.domain_keys.index(key))
        if bounds.min > 0:
            share_row(f"domain_share_min:{key}", members, bounds.min, GE)
        if bounds.max < 1:
            share_row(f"domain_share_max:{key}", members, bounds.max, LE)
    share = rules.max_neighbourhood_share
    if share is not None and share < 1:
        for n, members in enumerate(inst.by_neighbourhood):
            if members.size:
                share_row(f"max_neighbourhood_share:{n}", members, share, LE)
