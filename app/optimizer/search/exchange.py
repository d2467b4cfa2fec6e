"""A plan improved a few neighbourhoods at a time, all the others held where they are.

Between a good plan and the Lagrangian bound (see `decomposition`) lies, for every plan x,

    L(y) − c·x = Σ_b [z_b(y) − (c − yA)_b · x_b] + y · (the coupling rows' unused room),

each neighbourhood's shortfall at the best prices plus the budget and staff the plan leaves
unused, at their prices. Closing it means moving budget and staff between neighbourhoods:
the MIP over the bound's neighbourhood plans (`lp_guided`) does that over all of them at once
and can take seconds to find the last few hundredths of a percent. Here a small MIP over a
handful of neighbourhoods, whole, with the rest of the plan fixed and the coupling rows
holding what the rest leaves them, solves in a fraction of a second; repeated over changing
handfuls (half the neighbourhoods with the largest shortfall, half at random) it finds the
exchanges one by one. Every plan it returns meets every rule: each small MIP is the model
itself with most columns fixed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import highspy
import numpy as np

from app.optimizer.model.blocks import Blocks
from app.optimizer.model.matrix import INF
from app.optimizer.search.decomposition import LagrangianBound
from app.optimizer.search.pricing import highs_over

# Neighbourhoods per small MIP: at 300 neighbourhoods ten solve in about 0.3 s, twenty rarely
# finish in a second and found less in the same time.
HANDFUL = 10
# Each small MIP's time, and its gap: it is one of many, and needs only a better plan.
TRY_S = 0.3
TRY_GAP = 0.002


def exchange(
    dual: LagrangianBound,
    plan: np.ndarray,
    deadline: float,
    good_enough: float | None = None,
    cancel: threading.Event | None = None,
    handful: int = HANDFUL,
    on_plan: Callable[[np.ndarray], None] | None = None,
    seed: int = 0,
    try_gap: float = TRY_GAP,
    try_s: float = TRY_S,
) -> np.ndarray:
    """A plan at least as good as `plan` (a full column vector meeting every rule), improved
    until `deadline`, `cancel`, or a plan worth `good_enough`; the shortfalls are read at the
    best prices of the bound `dual`. `on_plan` hears of every improvement; `seed` seeds the
    random half of each handful (a search that goes on from where another stopped takes
    another seed, or it would draw the same neighbourhoods again)."""
    blocks, priced_costs = dual.blocks, dual.priced_costs
    arrays = blocks.arrays
    rng = np.random.default_rng(seed)
    plan = plan.copy()
    value = float(arrays.costs @ plan)
    local = np.flatnonzero(blocks.of_column >= 0)
    chosen_before = np.zeros(blocks.count)
    size = min(handful, blocks.count)
    while time.monotonic() < deadline and not (cancel is not None and cancel.is_set()):
        if good_enough is not None and value >= good_enough:
            break
        worth = np.bincount(
            blocks.of_column[local],
            weights=priced_costs[local] * plan[local],
            minlength=blocks.count,
        )
        shortfall = np.maximum(0.0, dual.block_upper - worth)
        chosen = _handful(shortfall, chosen_before, size, rng)
        chosen_before[chosen] += 1
        better = _best_exchange(blocks, plan, chosen, deadline, try_gap, try_s)
        if better is not None:
            columns, values = better
            gain = float(arrays.costs[columns] @ (values - plan[columns]))
            if gain > 1e-9 * max(1.0, abs(value)):
                plan[columns] = values
                value += gain
                if on_plan is not None:
                    on_plan(plan)
        if size == blocks.count:
            break  # every neighbourhood at once: nothing else to try
    return plan


def _handful(
    shortfall: np.ndarray, chosen_before: np.ndarray, size: int, rng: np.random.Generator
) -> np.ndarray:
    """Half the neighbourhoods by their shortfall (shaken, and less the more often chosen
    already), the other half at random."""
    count = len(shortfall)
    by_shortfall = (size + 1) // 2
    score = shortfall * (1.0 + rng.random(count)) / (1.0 + chosen_before)
    first = np.argsort(-score, kind="stable")[:by_shortfall]
    rest = np.setdiff1d(np.arange(count), first)
    more = rng.choice(rest, size - by_shortfall, replace=False)
    return np.concatenate([first, more]).astype(np.int64)


def _best_exchange(
    blocks: Blocks,
    plan: np.ndarray,
    chosen: np.ndarray,
    deadline: float,
    try_gap: float,
    try_s: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The chosen neighbourhoods' columns (and the shared ones) and their best values with
    every other column held at `plan`, or None when the small MIP found nothing in time."""
    arrays = blocks.arrays
    columns = np.concatenate([blocks.columns[b] for b in chosen] + [blocks.shared])
    rows = np.concatenate([blocks.rows[b] for b in chosen])
    h = highs_over(arrays, blocks.matrix, columns, rows, integer=True)
    try:
        positions = np.arange(len(columns), dtype=np.int32)
        h.changeColsCost(len(columns), positions, arrays.costs[columns])
        _add_coupling_rows(h, blocks, plan, columns)
        h.setOptionValue("mip_rel_gap", try_gap)
        h.setOptionValue("time_limit", max(0.01, min(try_s, deadline - time.monotonic())))
        h.setSolution(len(columns), positions, plan[columns])
        h.run()
        if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None
        return columns, np.asarray(h.getSolution().col_value)
    finally:
        h.clear()


def _add_coupling_rows(
    h: highspy.Highs, blocks: Blocks, plan: np.ndarray, columns: np.ndarray
) -> None:
    """The coupling rows over `columns`, their bounds less what the fixed columns use."""
    inside = blocks.coupling_matrix[:, columns]
    fixed_use = blocks.coupling_matrix @ plan - inside @ plan[columns]
    lower = np.where(blocks.coupling_lower <= -INF, -INF, blocks.coupling_lower - fixed_use)
    upper = np.where(blocks.coupling_upper >= INF, INF, blocks.coupling_upper - fixed_use)
    rows = inside.tocsr()
    used = np.diff(rows.indptr) > 0
    rows = rows[used]
    h.addRows(
        int(used.sum()),
        lower[used],
        upper[used],
        rows.nnz,
        rows.indptr[:-1].astype(np.int32),
        rows.indices.astype(np.int32),
        rows.data,
    )
