"""A bound that sees each neighbourhood whole: Lagrangian cuts from the relaxation's prices.

Most rules of the model stay inside one neighbourhood (the value of its cells, its cap per
regulated home, exclusive groups, prerequisites, runs per neighbourhood); only a few rows
(budgets, partners, staff, shares, `max_total`) tie neighbourhoods together. Price those
coupling rows at the relaxation's duals λ and the model falls apart into one small problem per
neighbourhood b:

    z_b = max { (c − λA)_b · x_b : x_b meets b's own rows, integers integral }.

Every plan meets b's own rows, so every plan satisfies the cut (c − λA)_b · x_b ≤ z_b, and
λ·rhs + Σ_b z_b bounds every plan (Lagrangian duality). Where the relaxation's plan is integral
in b, z_b is exactly what the relaxation already has there; where it is fractional (a knapsack
such as the cap per regulated home filled with a fraction of a run) the cut removes that
fraction. The cuts go into the MIP, the bound into the answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from app.optimizer.matrix import INF, ModelArrays

# A cut is relaxed by this much (relative to the neighbourhood's optimum, plus an absolute
# part) so that HiGHS's tolerances never make it cut off a plan that meets every rule.
_CUT_SLACK_REL = 1e-7
_CUT_SLACK_ABS = 1e-6
_FRACTIONAL = 1e-6


@dataclass(frozen=True)
class Cut:
    columns: np.ndarray  # int32
    coefficients: np.ndarray
    upper: float


@dataclass(frozen=True)
class BlockBound:
    bound: float  # bounds every plan; at most the relaxation's bound
    cuts: list[Cut]
    complete: bool  # False: stopped at the deadline before every fractional block was seen


def column_blocks(arrays: ModelArrays, candidate_block: np.ndarray) -> np.ndarray:
    """The neighbourhood of every column (−1: shared by several).

    A candidate's is given. Any other column (a value piece, a pair-use column) belongs to a
    neighbourhood when every row it shares with candidates holds candidates of that
    neighbourhood only; the total-spend column shares rows with all of them.
    """
    n_rows, n_cand = arrays.n_rows, len(candidate_block)
    if n_cand == 0:
        return np.full(arrays.n_cols, -1, dtype=np.int64)
    row_of = np.repeat(np.arange(n_rows), np.diff(arrays.starts))
    index = arrays.index
    is_candidate = index < n_cand
    block_of_term = candidate_block[np.minimum(index, n_cand - 1)]
    big = np.iinfo(np.int64).max
    low = _per_row(arrays, np.where(is_candidate, block_of_term, big), np.minimum, big)
    high = _per_row(arrays, np.where(is_candidate, block_of_term, -1), np.maximum, -1)
    has_candidates = high >= 0
    row_block = np.where(has_candidates & (low == high), high, -2)  # −2: several blocks
    blocks = np.full(arrays.n_cols, -1, dtype=np.int64)
    blocks[:n_cand] = candidate_block
    others = ~is_candidate & has_candidates[row_of]
    col_low = np.full(arrays.n_cols, big)
    col_high = np.full(arrays.n_cols, -3)
    np.minimum.at(col_low, index[others], row_block[row_of[others]])
    np.maximum.at(col_high, index[others], row_block[row_of[others]])
    single = (col_low == col_high) & (col_high >= 0)
    single[:n_cand] = False
    blocks[single] = col_high[single]
    return blocks


def block_bound(
    arrays: ModelArrays,
    candidate_block: np.ndarray,
    lp_bound: float,
    lp_values: np.ndarray,
    row_duals: np.ndarray,
    deadline: float,
) -> BlockBound:
    """Lagrangian cuts for the neighbourhoods where the relaxation's plan is fractional, and
    the bound they prove (`lp_bound` when none is fractional or time runs out first)."""
    blocks = column_blocks(arrays, candidate_block)
    matrix = sp.csr_matrix(
        (arrays.value, arrays.index, arrays.starts), shape=(arrays.n_rows, arrays.n_cols)
    )
    row_block = _row_blocks(arrays, blocks)
    local = row_block >= 0
    coupling_duals = np.where(local, 0.0, row_duals)
    priced = arrays.costs - matrix.T @ coupling_duals

    fractional = arrays.integer & (np.abs(lp_values - np.rint(lp_values)) > _FRACTIONAL)
    to_see = np.unique(blocks[fractional & (blocks >= 0)])
    n_blocks = int(candidate_block.max()) + 1 if len(candidate_block) else 0
    cols_by_block = _group(blocks, n_blocks)
    rows_by_block = _group(row_block, n_blocks)
    cuts: list[Cut] = []
    lowered = 0.0
    complete = True
    for b in to_see.tolist():
        if time.monotonic() >= deadline:
            complete = False
            break
        cols, rows = cols_by_block[b], rows_by_block[b]
        best = _block_optimum(arrays, matrix, priced, cols, rows, deadline)
        if best is None:
            complete = False
            continue
        slack = _CUT_SLACK_REL * abs(best) + _CUT_SLACK_ABS
        relaxed_value = float(priced[cols] @ lp_values[cols])
        if relaxed_value > best + slack:
            lowered += relaxed_value - (best + slack)
            keep = priced[cols] != 0
            cuts.append(Cut(cols[keep].astype(np.int32), priced[cols][keep], best + slack))
    return BlockBound(lp_bound - lowered, cuts, complete)


def _row_blocks(arrays: ModelArrays, blocks: np.ndarray) -> np.ndarray:
    """The neighbourhood of every row whose columns all belong to it (−1: a coupling row)."""
    term_block = blocks[arrays.index]
    low = _per_row(arrays, term_block, np.minimum, -1)
    high = _per_row(arrays, term_block, np.maximum, -1)
    return np.where((low == high) & (low >= 0), low, -1)


def _per_row(arrays: ModelArrays, per_term: np.ndarray, reduce: np.ufunc, empty: int) -> np.ndarray:
    """`reduce` (np.minimum or np.maximum) of a value per nonzero over each row's nonzeros;
    `empty` for a row without any."""
    out = np.full(arrays.n_rows, empty, dtype=np.int64)
    nonempty = np.diff(arrays.starts) > 0
    if nonempty.any():
        out[nonempty] = reduce.reduceat(per_term, arrays.starts[:-1][nonempty])
    return out


def _group(labels: np.ndarray, n_groups: int) -> list[np.ndarray]:
    order = np.argsort(labels, kind="stable")
    edges = np.searchsorted(labels[order], np.arange(n_groups + 1))
    return [order[edges[g] : edges[g + 1]] for g in range(n_groups)]


def _block_optimum(
    arrays: ModelArrays,
    matrix: sp.csr_matrix,
    priced: np.ndarray,
    cols: np.ndarray,
    rows: np.ndarray,
    deadline: float,
) -> float | None:
    """An upper bound on the neighbourhood's problem at the priced costs (its MIP's own bound),
    or None when HiGHS could not give one in time."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.setOptionValue("time_limit", max(0.01, deadline - time.monotonic()))
    empty = np.zeros(0, np.int32)
    h.addCols(
        len(cols),
        priced[cols],
        arrays.col_lower[cols],
        arrays.col_upper[cols],
        0,
        empty,
        empty,
        np.zeros(0),
    )
    integer = np.flatnonzero(arrays.integer[cols]).astype(np.int32)
    if len(integer):
        h.changeColsIntegrality(len(integer), integer, np.ones(len(integer), np.uint8))
    if len(rows):
        sub = matrix[rows][:, cols].tocsr()
        h.addRows(
            len(rows),
            arrays.row_lower[rows],
            arrays.row_upper[rows],
            sub.nnz,
            sub.indptr[:-1].astype(np.int32),
            sub.indices.astype(np.int32),
            sub.data,
        )
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    info = h.getInfo()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        bound = info.mip_dual_bound if len(integer) else info.objective_function_value
    elif np.isfinite(info.mip_dual_bound) and abs(info.mip_dual_bound) < INF:
        bound = info.mip_dual_bound
    else:
        return None
    return float(bound)
