"""What every attempt of the greedy (`warm_start`) reads and none changes: the model's rows as
the greedy checks them, which runs no plan can take, and what each run costs of the limits and
is worth alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from app.optimizer.model.arrays import constraint_matrix, model_arrays, row_bounds
from app.optimizer.model.build import Model
from app.optimizer.problem.instance import Instance
from app.optimizer.problem.value import cell_factor, piece_weights, value_of_cells

# How far past a row's bound (relative, at least absolute) a change still keeps the row.
TOLERANCE = 1e-7


@dataclass(frozen=True)
class GreedySetup:
    """What every attempt of the greedy reads and none changes: made once per plan."""

    by_row: sparse.csr_matrix
    matrix: sparse.csc_matrix
    lower: np.ndarray
    upper: np.ndarray
    locked_out: np.ndarray  # per candidate: its column is fixed at 0, or no plan can take it
    total_col: int | None
    pair_of: np.ndarray  # per candidate: the column of its pair indicator (`u{i}_{n}`), or -1
    corporation_total: np.ndarray
    cost: np.ndarray  # the share of the limits a candidate uses
    ratio: np.ndarray  # standalone value per that share
    soft: np.ndarray  # per row: a lock-in or minimum share (starts unmet, may only improve)
    locks: np.ndarray  # the lock-in rows
    toward_minimum: np.ndarray  # per candidate: it counts toward a minimum share
    minimum: np.ndarray  # per row: a minimum share
    prerequisite: np.ndarray  # per row: a run's prerequisite, x(run) − Σ x(prerequisite) ≤ 0


def _rows(model: Model) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The model's rows as a sparse matrix, and their bounds (copies, for the caller to change)."""
    starts, index, value = constraint_matrix(model)
    by_row = sparse.csr_matrix((value, index, starts), shape=(model.n_rows, model.n_cols))
    lower, upper = row_bounds(model)
    return by_row, lower, upper


def greedy_setup(inst: Instance, model: Model) -> GreedySetup:
    by_row, lower, upper = _rows(model)
    kinds = model.row_kinds
    links = np.array([kind == "value_link" for kind in kinds], dtype=bool)
    lower[links], upper[links] = -np.inf, np.inf  # pieces are filled afterwards, always within
    total_col: int | None = None
    pair_cols: dict[str, int] = {}
    for p, name in enumerate(model.column_names()):
        if name.startswith("u"):
            pair_cols[name] = p
        elif name == "total_spend":
            total_col = p
    corporation_total = inst.corporation.sum(axis=1) / 1000.0
    cost = _scarcity_cost(model, by_row, upper, corporation_total)
    lock = np.array([kind.startswith("lock_in") for kind in kinds], dtype=bool)
    minimum = np.array([kind.startswith("domain_share_min") for kind in kinds], dtype=bool)
    soft = lock | minimum
    return GreedySetup(
        by_row=by_row,
        matrix=by_row.tocsc(),
        lower=lower,
        upper=upper,
        locked_out=(model_arrays(model).col_upper[: model.n_candidates] == 0)
        | _never_fits(model, by_row, lower, upper, soft=soft),
        total_col=total_col,
        pair_of=np.array(
            [pair_cols.get(f"u{i}_{n}", -1) for i, n in zip(inst.cand_i, inst.cand_n, strict=True)],
            dtype=np.int64,
        ),
        corporation_total=corporation_total,
        cost=cost,
        ratio=standalone_gains(inst) / cost,
        soft=soft,
        locks=np.flatnonzero(lock),
        toward_minimum=_toward(by_row, minimum, model.n_candidates),
        minimum=minimum,
        prerequisite=np.array([kind.startswith("requires:") for kind in kinds], dtype=bool),
    )


_LIMIT_KINDS = ("budget:", "partner:", "resource:")


def _scarcity_cost(
    model: Model, by_row: sparse.csr_matrix, upper: np.ndarray, money: np.ndarray
) -> np.ndarray:
    """What a candidate uses of the scenario's limits, each as a share of that limit, summed.

    Euros alone rank badly when staff or a partner's budget binds first: a cheap run that takes
    a scarce coach is not cheap. Each limit counts for its share, so whichever binds dominates.
    """
    n = model.n_candidates
    limits = (
        np.array([kind.startswith(_LIMIT_KINDS) for kind in model.row_kinds], dtype=bool)
        & np.isfinite(upper)
        & (upper > 0)
    )
    rows = np.flatnonzero(limits)
    if rows.size == 0:
        return np.maximum(money, 1e-6)
    shares = sparse.diags(1.0 / upper[rows]) @ by_row[rows][:, :n]
    used = np.asarray(abs(shares).sum(axis=0)).ravel()
    return np.maximum(used, 1e-9)


def _never_fits(
    model: Model,
    by_row: sparse.csr_matrix,
    lower: np.ndarray,
    upper: np.ndarray,
    soft: np.ndarray,
) -> np.ndarray:
    """Per candidate: whether a capped row has less room for it than its coefficient with
    every other column at its least (a run dearer than a neighbourhood's whole share of the
    budget). The greedy refuses such a run in every state, after working out its gain: at
    a fifth of the budget (`mutated` seed 9, 14,419 candidates) 13,964 of them, and the greedy
    took 1.6 s to find no plan; at 300 neighbourhoods a fifth to a third of the candidates."""
    arrays = model_arrays(model)
    n = model.n_candidates
    bounded = np.isfinite(arrays.col_upper)
    negative = by_row.multiply(by_row < 0)
    terms = by_row.multiply(by_row > 0).multiply(arrays.col_lower[None, :]) + negative.multiply(
        np.where(bounded, arrays.col_upper, 0.0)[None, :]
    )
    least = np.asarray(terms.sum(axis=1)).ravel()
    # A row where a column without an upper bound subtracts has no least activity.
    unbounded = np.asarray((negative.multiply(~bounded[None, :]) != 0).sum(axis=1)).ravel()
    capped = np.isfinite(upper) & ~soft & (unbounded == 0)
    room = np.where(capped, upper - least, np.inf)
    entries = by_row[:, :n].tocoo()
    rows, cols, coefficients = entries.row, entries.col, entries.data
    over = coefficients > room[rows] + TOLERANCE * np.maximum(1.0, np.abs(room[rows]))
    never = np.zeros(n, dtype=bool)
    never[cols[over]] = True
    return never


def runs_no_plan_takes(model: Model) -> np.ndarray:
    """Per candidate: whether every plan leaves it out, because one run of it alone overfills a
    row with every other column at its least (`_never_fits` over all the model's rows: a run
    dearer than a neighbourhood's whole share of the budget). Only whole columns that start at
    0 (a locked-in run counts itself among the least) can be left out so: their one run is
    the least they can add."""
    arrays = model_arrays(model)
    n = model.n_candidates
    by_row, lower, upper = _rows(model)
    never = _never_fits(model, by_row, lower, upper, soft=np.zeros(model.n_rows, dtype=bool))
    return never & arrays.integer[:n] & (arrays.col_lower[:n] == 0)


def _toward(by_row: sparse.csr_matrix, rows: np.ndarray, n_candidates: int) -> np.ndarray:
    """Per candidate: whether it adds to one of `rows` (a mask), e.g. toward a minimum share."""
    block = by_row[np.flatnonzero(rows)]
    cols = block.indices[block.data > 0]
    toward = np.zeros(n_candidates, dtype=bool)
    toward[cols[cols < n_candidates]] = True
    return toward


def standalone_gains(inst: Instance, chunk: int = 50_000) -> np.ndarray:
    """The value of each candidate funded alone, (C,), computed in vectorised chunks over the
    cells it improves only: a run touches one or two of the domains, and the rest are worth 0
    (at 100,000 candidates, 8 domains and 8 years: 1.2 s over every cell)."""
    factor = cell_factor(inst)
    weights = piece_weights(inst)
    gains = np.zeros(inst.n_candidates)
    for first in range(0, inst.n_candidates, chunk):
        block = slice(first, first + chunk)
        hoods = inst.cand_n[block]
        effect = inst.effects[inst.cand_i[block]][:, :, None] * inst.effect_years[block][:, None, :]
        c, d, t = np.nonzero(effect)
        n = hoods[c]
        cells = value_of_cells(inst, effect[c, d, t], inst.gap[n, d, t], weights[n, d, t])
        # Summed over the cells as the whole grid would be, to the last bit: the greedy's
        # order of candidates, and with it its plan, stays what it was.
        worth = np.zeros(effect.shape)
        worth[c, d, t] = factor[n, d, t] * cells
        gains[block] = worth.sum(axis=(1, 2))
    return gains
