"""The model cut into neighbourhoods: which columns and rows belong to one, which tie several.

Most rules of the model stay inside one neighbourhood (the value of its cells, its cap per
regulated home, exclusive groups, prerequisites, runs per neighbourhood); only a few rows
(budgets, partners, staff, shares, `max_total`) tie neighbourhoods together. Priced at a set
of duals y, those coupling rows drop out and the model falls apart into one small problem per
neighbourhood (see `pricing` and `decomposition`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from app.optimizer.model.matrix import ModelArrays


@dataclass(frozen=True)
class Cut:
    columns: np.ndarray  # int32
    coefficients: np.ndarray
    upper: float


@dataclass(frozen=True)
class Blocks:
    """The model cut into neighbourhoods: their columns and rows, and what ties them."""

    arrays: ModelArrays
    matrix: sp.csr_matrix
    of_column: np.ndarray  # neighbourhood per column, −1: shared (the total-spend column)
    columns: list[np.ndarray]  # per neighbourhood
    rows: list[np.ndarray]  # per neighbourhood: rows holding its columns only
    coupling: np.ndarray  # rows holding columns of several neighbourhoods (or shared ones)
    coupling_matrix: sp.csc_matrix  # those rows, column-wise
    coupling_lower: np.ndarray  # their bounds
    coupling_upper: np.ndarray
    shared: np.ndarray  # columns of no neighbourhood

    @classmethod
    def of(cls, arrays: ModelArrays, candidate_block: np.ndarray) -> Blocks:
        of_column = column_blocks(arrays, candidate_block)
        of_row = row_blocks(arrays, of_column)
        matrix = sp.csr_matrix(
            (arrays.value, arrays.index, arrays.starts), shape=(arrays.n_rows, arrays.n_cols)
        )
        count = int(candidate_block.max()) + 1 if len(candidate_block) else 0
        coupling = np.flatnonzero(of_row < 0)
        return cls(
            arrays,
            matrix,
            of_column,
            group_by(of_column, count),
            group_by(of_row, count),
            coupling,
            matrix[coupling].tocsc(),
            arrays.row_lower[coupling],
            arrays.row_upper[coupling],
            np.flatnonzero(of_column < 0),
        )

    @property
    def count(self) -> int:
        return len(self.columns)


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


def row_blocks(arrays: ModelArrays, blocks: np.ndarray) -> np.ndarray:
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


def group_by(labels: np.ndarray, n_groups: int) -> list[np.ndarray]:
    order = np.argsort(labels, kind="stable")
    edges = np.searchsorted(labels[order], np.arange(n_groups + 1))
    return [order[edges[g] : edges[g + 1]] for g in range(n_groups)]
