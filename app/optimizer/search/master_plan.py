"""A whole plan put together from the neighbourhood plans the Lagrangian bound generated.

The bound's master LP (see `decomposition`) weighs, per neighbourhood, a convex combination of
the neighbourhood plans it knows, and its value sits within a few hundredths of a percent of
the bound. Asked to choose exactly one of those plans per neighbourhood, it becomes an integer
program with one binary per known plan (about 1,300 at 300 neighbourhoods), the coupling rows
(budgets, partners, staff, shares) and nothing else: every plan in it already meets its own
neighbourhood's rules. HiGHS solves that in a fraction of a second, to a plan that only a few
neighbourhoods (those the master LP split between plans) give anything up for.

Measured at 300 neighbourhoods, it is the best source of plans the solve has: seed 7 gave
391,435 in 0.4 s, where the MIP over the same plans' candidates (`lp_guided`) gave 391,096 in
4.5 s and the bound proves any plan from 391,307 on.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from app.optimizer.backends.highs_options import quiet_highs
from app.optimizer.backends.resolve import enough
from app.optimizer.model.blocks import Blocks

_EMPTY = np.zeros(0, np.int32)
# HiGHS's primal heuristics at full effort (its default is 0.05): the model is small, its root
# bound already near the plans worth finding, and its sub-MIPs find them (300 neighbourhoods,
# seed 1: a plan the bound proves after 1.4 s, none in 3 s at the default).
HEURISTIC_EFFORT = 1.0
# How far (relative to its size) the plan put together may miss a row of the model: the
# neighbourhood plans come from LPs and MIPs with HiGHS's own tolerances.
_ROW_TOLERANCE = 1e-6


def plan_key(block: int, plan: np.ndarray) -> tuple[int, bytes]:
    """What tells one neighbourhood plan from another: values equal to 7 decimals are one plan
    (the same plan priced again comes back with HiGHS's noise in it)."""
    return block, np.round(plan, 7).tobytes()


def plan_columns(
    blocks: Blocks, plans: list[tuple[int, np.ndarray]], n_rows: int
) -> tuple[np.ndarray, sp.csc_matrix]:
    """Per neighbourhood plan (neighbourhood, values over its columns): its worth, and its
    column in a master whose rows are the coupling rows and then one convexity row per
    neighbourhood (`n_rows` in all). One sparse product gives every plan's use of the rows."""
    arrays = blocks.arrays
    n_coupling = len(blocks.coupling)
    columns = np.concatenate([blocks.columns[b] for b, _ in plans])
    values = np.concatenate([plan for _, plan in plans])
    owner = np.repeat(np.arange(len(plans)), [len(plan) for _, plan in plans])
    spread = sp.csr_matrix((values, (np.arange(len(values)), owner)), (len(values), len(plans)))
    usage = (blocks.coupling_matrix[:, columns] @ spread).tocsc()
    usage.eliminate_zeros()
    convexity = sp.csc_matrix(
        (np.ones(len(plans)), ([n_coupling + b for b, _ in plans], np.arange(len(plans)))),
        (n_rows, len(plans)),
    )
    usage.resize((n_rows, len(plans)))
    worth = np.bincount(owner, weights=arrays.costs[columns] * values, minlength=len(plans))
    return np.asarray(worth, dtype=float), (usage + convexity).tocsc()


def master_rows(h: highspy.Highs, blocks: Blocks) -> None:
    """The coupling rows, one convexity row per neighbourhood (= 1), and the shared columns
    as they are in the model."""
    arrays = blocks.arrays
    h.addRows(
        len(blocks.coupling),
        blocks.coupling_lower,
        blocks.coupling_upper,
        0,
        _EMPTY,
        _EMPTY,
        np.zeros(0),
    )
    ones = np.ones(blocks.count)
    h.addRows(blocks.count, ones, ones, 0, _EMPTY, _EMPTY, np.zeros(0))
    for j in blocks.shared.tolist():
        column = blocks.coupling_matrix[:, j].toarray().ravel()
        rows = np.flatnonzero(column)
        h.addCol(
            float(arrays.costs[j]),
            float(arrays.col_lower[j]),
            float(arrays.col_upper[j]),
            len(rows),
            rows.astype(np.int32),
            column[rows],
        )


def master_plan(
    blocks: Blocks,
    plans: list[tuple[int, np.ndarray]],
    start: np.ndarray | None,
    deadline: float,
    gap: float,
    cancel: threading.Event | None = None,
    good_enough: float | None = None,
    settle_gap: float | None = None,
    max_nodes: int | None = None,
) -> np.ndarray | None:
    """The best plan (a full column vector) that takes one of `plans` per neighbourhood,
    within `gap` of the best there, or None when there is none in time or it misses a row.
    `start` (a full plan whose neighbourhood parts are among `plans`) is where HiGHS starts.
    It stops at a plan worth `good_enough`, or, when its own bound shows there is none, at one
    within `settle_gap` of that bound; and after `max_nodes` branch-and-bound nodes (a limit
    that, unlike the clock, ends it at the same point on every run)."""
    if not plans or len({b for b, _ in plans}) < blocks.count:
        return None  # a neighbourhood without a plan: no whole plan can be put together
    h = quiet_highs()
    try:
        master_rows(h, blocks)
        first = h.getNumCol()
        worth, matrix = plan_columns(blocks, plans, h.getNumRow())
        count = len(plans)
        h.addCols(
            count,
            worth,
            np.zeros(count),
            np.ones(count),
            matrix.nnz,
            matrix.indptr[:-1].astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data,
        )
        h.changeColsIntegrality(
            count, np.arange(first, first + count, dtype=np.int32), np.ones(count, np.uint8)
        )
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.setOptionValue("mip_rel_gap", gap)
        h.setOptionValue("mip_heuristic_effort", HEURISTIC_EFFORT)
        h.setOptionValue("time_limit", max(0.01, deadline - time.monotonic()))
        if max_nodes is not None:
            h.setOptionValue("mip_max_nodes", max_nodes)
        if start is not None:
            chosen = _chosen(blocks, plans, start)
            if chosen is not None:
                values = np.concatenate([start[blocks.shared], chosen])
                h.setSolution(len(values), np.arange(len(values), dtype=np.int32), values)
        stop_at = np.inf if good_enough is None else good_enough
        stop_gap = gap if settle_gap is None else settle_gap

        def interrupt(event: Any) -> None:
            out = event.data_out
            late = time.monotonic() > deadline or (cancel is not None and cancel.is_set())
            event.interrupt(
                late or enough(out.mip_primal_bound, out.mip_dual_bound, stop_at, stop_gap)
            )

        h.cbMipInterrupt.subscribe(interrupt)
        h.run()
        if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None
        solution = np.asarray(h.getSolution().col_value)
    finally:
        h.cbMipInterrupt.clear()
        h.clear()
    return _assembled(blocks, plans, solution[first:], solution[:first])


def _chosen(
    blocks: Blocks, plans: list[tuple[int, np.ndarray]], start: np.ndarray
) -> np.ndarray | None:
    """The binaries that pick `start`'s own part in every neighbourhood (None when a part
    is not among `plans`)."""
    index = {plan_key(b, plan): k for k, (b, plan) in enumerate(plans)}
    chosen = np.zeros(len(plans))
    for b, cols in enumerate(blocks.columns):
        k = index.get(plan_key(b, start[cols]))
        if k is None:
            return None
        chosen[k] = 1.0
    return chosen


def _assembled(
    blocks: Blocks,
    plans: list[tuple[int, np.ndarray]],
    chosen: np.ndarray,
    shared: np.ndarray,
) -> np.ndarray | None:
    """The full column vector of the chosen plans, integers rounded, or None when it misses a
    row of the model by more than the tolerance."""
    arrays = blocks.arrays
    plan = np.zeros(arrays.n_cols)
    plan[blocks.shared] = shared
    for k in np.flatnonzero(chosen > 0.5).tolist():
        b, values = plans[k]
        plan[blocks.columns[b]] = values
    plan[arrays.integer] = np.rint(plan[arrays.integer])
    activity = blocks.matrix @ plan
    slack = _ROW_TOLERANCE * np.maximum(1.0, np.abs(activity))
    if np.any(activity > arrays.row_upper + slack) or np.any(activity < arrays.row_lower - slack):
        return None
    return plan
