"""The model as flat arrays, gathered while it is built.

Rows are collected in blocks of numpy arrays (CSR: a count per row, then the column and the
coefficient of each nonzero), columns in blocks of names and bounds. `build` turns the blocks into
the PuLP problem and into the `ModelArrays` that HiGHS takes, both from the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import highspy
import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

INF = highspy.kHighsInf
LE, EQ, GE = -1, 0, 1  # PuLP's constraint senses
# The kind of a row that every plan meeting the scenario's rules meets too, written out to
# tighten what a part of the model sees; whatever loosens a rule must loosen these as well.
IMPLIED = "implied:"


@dataclass(frozen=True)
class ModelArrays:
    costs: np.ndarray  # per column, maximised
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray  # bool per column
    starts: np.ndarray  # CSR row starts (n_rows + 1)
    index: np.ndarray  # column of each nonzero
    value: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray

    @property
    def n_cols(self) -> int:
        return len(self.costs)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)


@dataclass
class ColumnBlock:
    """Columns with lower bound 0 and `upper` per column (None: unbounded).

    Kept for as long as the model, so kept small: the names as one array of ASCII bytes (at
    national scale 2 million `str` objects would be 120 MiB, the array 20 MiB) and bounds that
    are all floats as one float array; a list of one repeated int (binaries) is cheap as it is.
    """

    names: np.ndarray  # bytes, see `name_list`
    upper: list[float] | np.ndarray | None
    integer: bool

    @classmethod
    def of(cls, names: list[str], upper: list[float] | None, integer: bool) -> ColumnBlock:
        kept: list[float] | np.ndarray | None = upper
        if upper is not None and all(type(bound) is float for bound in upper):
            kept = np.array(upper, dtype=float)
        return cls(np.array(names, dtype=np.bytes_), kept, integer)

    def __len__(self) -> int:
        return len(self.names)

    def name_list(self) -> list[str]:
        return self.names.astype(np.str_).tolist()  # type: ignore[no-any-return]

    def upper_list(self) -> list[float | None]:
        """The upper bounds as the model was given them (the same Python numbers)."""
        if self.upper is None:
            return [None] * len(self)
        return self.upper.tolist() if isinstance(self.upper, np.ndarray) else list(self.upper)


@dataclass
class RowBlock:
    kinds: list[str]
    counts: np.ndarray  # nonzeros per row
    index: np.ndarray  # column per nonzero
    value: np.ndarray
    sense: np.ndarray  # LE, EQ or GE per row
    rhs: np.ndarray


@dataclass
class Collector:
    """Columns and rows in the order they are created."""

    columns: list[ColumnBlock] = field(default_factory=list)
    blocks: list[RowBlock] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0
    pending: list[tuple[str, np.ndarray, np.ndarray, int, float]] = field(default_factory=list)

    def add_columns(self, names: list[str], upper: list[float] | None, integer: bool) -> int:
        """Append columns; returns the position of the first."""
        first = self.n_cols
        self.columns.append(ColumnBlock.of(names, upper, integer))
        self.n_cols += len(names)
        return first

    def add_rows(
        self,
        kinds: list[str],
        counts: np.ndarray,
        index: np.ndarray,
        value: np.ndarray,
        sense: int | np.ndarray,
        rhs: float | np.ndarray,
    ) -> None:
        n = len(kinds)
        if n == 0:
            return
        self.flush()
        self.blocks.append(
            RowBlock(
                kinds,
                np.asarray(counts, dtype=np.int64),
                np.asarray(index, dtype=np.int64),
                np.asarray(value, dtype=float),
                np.broadcast_to(np.asarray(sense, dtype=np.int8), n),
                np.broadcast_to(np.asarray(rhs, dtype=float), n),
            )
        )
        self.n_rows += n

    def add_row(
        self, kind: str, index: np.ndarray, value: np.ndarray, sense: int, rhs: float
    ) -> None:
        """One row; rows added one at a time are gathered into a block by `flush`."""
        self.pending.append((kind, index, value, sense, rhs))
        self.n_rows += 1

    def flush(self) -> None:
        if not self.pending:
            return
        kinds, index, value, sense, rhs = zip(*self.pending, strict=True)
        self.pending = []
        self.blocks.append(
            RowBlock(
                list(kinds),
                np.array([len(i) for i in index], dtype=np.int64),
                np.concatenate(index).astype(np.int64, copy=False),
                np.concatenate(value).astype(float, copy=False),
                np.array(sense, dtype=np.int8),
                np.array(rhs, dtype=float),
            )
        )

    def rows(self) -> list[RowBlock]:
        self.flush()
        return self.blocks


def csr(rows: list[RowBlock]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, column index, value) of all rows, in order."""
    counts = np.concatenate([b.counts for b in rows]) if rows else np.zeros(0, np.int64)
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    index = np.empty(int(starts[-1]), dtype=np.int32)
    value = np.empty(int(starts[-1]))
    at = 0
    for b in rows:
        index[at : at + len(b.index)] = b.index
        value[at : at + len(b.value)] = b.value
        at += len(b.index)
    return starts, index, value


def row_sides(rows: list[RowBlock]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sense, PuLP's constant = 0 − rhs, lower, upper) per row, as PuLP reports them."""
    sense = np.concatenate([b.sense for b in rows]) if rows else np.zeros(0, np.int8)
    rhs = np.concatenate([b.rhs for b in rows]) if rows else np.zeros(0)
    constant = 0.0 - rhs
    lower = np.where(sense == LE, -INF, -constant)
    upper = np.where(sense == GE, INF, -constant)
    return sense, constant, lower, upper


def column_entries(matrix: sparse.csc_matrix, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Column `p` of a CSC matrix as (its rows, their coefficients), views without a copy."""
    start, end = matrix.indptr[p], matrix.indptr[p + 1]
    return matrix.indices[start:end], matrix.data[start:end]
