"""A built model as the flat arrays HiGHS takes: made once per model, shared by every solve.

The main solve, the relaxation that guides it and the explanation's re-solves all hand the same
model to HiGHS. `build_model` makes the arrays, and the PuLP objects from them when asked for;
`arrays_from_rows` reads them back from the PuLP objects (the test that both agree).
"""

from __future__ import annotations

import highspy
import numpy as np
import pulp

from app.optimizer.model.build import Model
from app.optimizer.model.matrix import INF, ModelArrays

__all__ = ["INF", "ModelArrays", "constraint_matrix", "load", "model_arrays", "row_bounds"]


def constraint_matrix(model: Model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows as CSR arrays (starts, column indices, values), columns indexed by position."""
    arrays = model_arrays(model)
    return arrays.starts, arrays.index, arrays.value


def row_bounds(model: Model) -> tuple[np.ndarray, np.ndarray]:
    arrays = model_arrays(model)
    return arrays.row_lower.copy(), arrays.row_upper.copy()


def model_arrays(model: Model) -> ModelArrays:
    """The arrays `build_model` built the model from."""
    return model.arrays


def arrays_from_rows(model: Model) -> ModelArrays:
    """The arrays read from the PuLP objects (columns indexed by position in `Model.columns`)."""
    columns, rows = model.columns, model.rows
    position = {var.hash: p for p, var in enumerate(columns)}
    counts = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    total = int(starts[-1])
    index = np.fromiter(
        (position[v.hash] for row in rows for v in row), dtype=np.int32, count=total
    )
    value = np.fromiter((a for row in rows for a in row.values()), dtype=float, count=total)
    costs = np.zeros(len(columns))
    for var, coefficient in model.problem.objective.items():
        # PuLP adds a fixed `__dummy` column to an objective without variables: not ours.
        if var.name != "__dummy":
            costs[position[var.hash]] = coefficient
    return ModelArrays(
        costs=costs,
        col_lower=np.array([-INF if v.lowBound is None else v.lowBound for v in columns], float),
        col_upper=np.array([INF if v.upBound is None else v.upBound for v in columns], float),
        integer=np.array([v.cat == pulp.LpInteger for v in columns], dtype=bool),
        starts=starts,
        index=index,
        value=value,
        row_lower=np.array([-INF if (b := r.getLb()) is None else b for r in rows], float),
        row_upper=np.array([INF if (b := r.getUb()) is None else b for r in rows], float),
    )


def load(
    h: highspy.Highs,
    arrays: ModelArrays,
    *,
    relaxed: bool = False,
    col_lower: np.ndarray | None = None,
    col_upper: np.ndarray | None = None,
) -> None:
    """Hand the model to an empty HiGHS instance in one call per part (maximisation)."""
    h.addCols(
        arrays.n_cols,
        arrays.costs,
        arrays.col_lower if col_lower is None else col_lower,
        arrays.col_upper if col_upper is None else col_upper,
        0,
        np.zeros(0, np.int32),
        np.zeros(0, np.int32),
        np.zeros(0),
    )
    if arrays.integer.any() and not relaxed:
        positions = np.flatnonzero(arrays.integer).astype(np.int32)
        h.changeColsIntegrality(len(positions), positions, np.ones(len(positions), np.uint8))
    if arrays.n_rows:
        h.addRows(
            arrays.n_rows,
            arrays.row_lower,
            arrays.row_upper,
            len(arrays.value),
            arrays.starts[:-1].astype(np.int32),
            arrays.index,
            arrays.value,
        )
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
