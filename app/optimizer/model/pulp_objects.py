"""PuLP's columns and rows made in bulk from the model's arrays.

The objects are the ones `LpProblem.add_variable`, `LpAffineExpression`, `LpConstraint` and
`LpProblem.addConstraint` make, attribute for attribute and in the same order, but without their
per-object checks: the names are known to be clean (no character PuLP would replace), the bounds
finite and every row's terms distinct, and at national scale (millions of columns and rows) the
checks are most of the building time. `tests/optimizer/backends/test_build_equivalence.py`
compares the objects with those PuLP makes itself, so a PuLP release that changes them fails there.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pulp

from app.optimizer.model.matrix import ColumnBlock, ModelArrays

_ROWS_PER_STEP = 1 << 15  # rows whose terms are turned into Python objects at once


@dataclass(frozen=True)
class PulpParts:
    """What PuLP's objects are made of beyond the `ModelArrays`: the rows' senses and PuLP
    constants, the objective's terms in the order they were written, and the candidates locked
    out (their column keeps its original upper bound 1 and gets `upBound = 0`)."""

    sense: np.ndarray  # LE, EQ or GE per row
    constant: np.ndarray  # PuLP's constant per row (0 − rhs)
    objective_cols: np.ndarray
    objective_vals: np.ndarray
    locked_out: np.ndarray


@dataclass(frozen=True)
class PulpModel:
    problem: pulp.LpProblem
    x: list[pulp.LpVariable]
    columns: list[pulp.LpVariable]
    rows: list[pulp.LpConstraint]


def pulp_model(arrays: ModelArrays, blocks: list[ColumnBlock], parts: PulpParts) -> PulpModel:
    """The PuLP problem of a built model, made from the same numbers as its arrays."""
    # Millions of objects and no cycles among them: the cyclic collector would walk all of them
    # again and again while they are made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        problem = pulp.LpProblem("onderbouwd", pulp.LpMaximize)
        columns: list[pulp.LpVariable] = []
        for block in blocks:
            cat = pulp.LpInteger if block.integer else pulp.LpContinuous
            columns += make_columns(block.name_list(), block.upper_list(), cat)
        x = columns[: len(blocks[0])]
        for c in parts.locked_out.tolist():
            x[c].upBound = 0
        rows = add_rows(
            problem,
            columns,
            arrays.starts,
            arrays.index,
            arrays.value,
            parts.sense,
            parts.constant,
        )
        problem.setObjective(
            pulp.LpAffineExpression(
                zip(
                    map(columns.__getitem__, parts.objective_cols.tolist()),
                    parts.objective_vals.tolist(),
                    strict=True,
                )
            )
        )
        return PulpModel(problem, x, columns, rows)
    finally:
        if collecting:
            gc.enable()


def make_columns(
    names: list[str], upper: Sequence[float | None], cat: str
) -> list[pulp.LpVariable]:
    """Columns with lower bound 0 (as `add_variable(name, 0, up, cat)` with a continuous or
    integer `cat`; a binary column is integer with bounds 0 and 1)."""
    new = pulp.LpVariable.__new__
    made: list[pulp.LpVariable] = []
    keep = made.append
    for name, up in zip(names, upper, strict=True):
        var = new(pulp.LpVariable)
        var._LpElement__name = name
        var.hash = id(var)
        var.modified = True
        var._lowbound_original = var.lowBound = 0
        var._upbound_original = var.upBound = up
        var.cat = cat
        var.varValue = None
        var.dj = None
        keep(var)
    return made


def add_rows(
    problem: pulp.LpProblem,
    columns: list[pulp.LpVariable],
    starts: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
    sense: np.ndarray,
    constant: np.ndarray,
) -> list[pulp.LpConstraint]:
    """Rows r0, r1, … (`addConstraint(LpConstraint(expression, sense, rhs), f"r{k}")`), and the
    columns registered with the problem in the order of their first appearance, as
    `addConstraint` registers them."""
    new_expression = pulp.LpAffineExpression.__new__
    new_row = pulp.LpConstraint.__new__
    fill = dict.update
    named = problem._constraints
    modified = problem.modifiedConstraints.append
    rows: list[pulp.LpConstraint] = []
    keep = rows.append
    column = columns.__getitem__
    # Few distinct coefficients (±1, an intervention's effect, a candidate's spend in every
    # money row): one float object per value instead of one per nonzero.
    interned: dict[float, float] = {}
    same = interned.setdefault
    n_rows = len(starts) - 1
    for first in range(0, n_rows, _ROWS_PER_STEP):
        last = min(first + _ROWS_PER_STEP, n_rows)
        lo, hi = int(starts[first]), int(starts[last])
        terms = list(map(column, index[lo:hi].tolist()))
        coefficients = value[lo:hi].tolist()
        if not (value[lo:hi] == 0).any():  # 0.0 and −0.0 would be taken for each other
            coefficients = list(map(same, coefficients, coefficients))
        edges = (starts[first : last + 1] - lo).tolist()
        for r, (a, b, s, c) in enumerate(
            zip(
                edges,
                edges[1:],
                sense[first:last].tolist(),
                constant[first:last].tolist(),
                strict=False,
            ),
            start=first,
        ):
            expression = new_expression(pulp.LpAffineExpression)
            # A dict subclass's attributes live in a table sized for every attribute name the
            # class has seen (about 300 bytes); a dict of its own with the two is half that.
            expression.__dict__ = {"_LpAffineExpression__name": None, "constant": 0.0}
            fill(expression, zip(terms[a:b], coefficients[a:b], strict=True))
            row = new_row(pulp.LpConstraint)
            row.expr = expression
            name = row._LpConstraint__name = f"r{r}"
            row.constant = c
            row.sense = s
            row.pi = None
            row.slack = None
            row.modified = True
            named[name] = row
            modified(row)
            keep(row)
        del terms, coefficients
    _register(problem, columns, index)
    return rows


def _register(problem: pulp.LpProblem, columns: list[pulp.LpVariable], index: np.ndarray) -> None:
    never = np.iinfo(np.int64).max
    first = np.full(len(columns), never, dtype=np.int64)
    np.minimum.at(first, index, np.arange(len(index), dtype=np.int64))
    used = np.flatnonzero(first != never)
    ordered = [columns[j] for j in used[np.argsort(first[used], kind="stable")].tolist()]
    problem._variables.extend(ordered)
    problem._variable_ids.update((var.hash, var) for var in ordered)
