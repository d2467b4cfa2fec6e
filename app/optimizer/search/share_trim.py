"""Dropping runs until the rules tied to the total spend hold: the greedy's last resort.

The greedy checks the shares (a domain's share, a neighbourhood's share: rows with the total
spend in them) against the total it expects to reach. When the plan ends elsewhere, a share can
be missed both ways: a maximum above the real total's allowance, a minimum that the last runs
diluted. Every such row holds for the empty plan, so dropping runs can get there; dropping the
runs worth least per unit of what they use first keeps most of the plan. A drop is taken
only when it lowers what the plan misses over all rows, and misses no rule other than a share
more (a lock-in, a prerequisite): budgets and capacities only gain from it. Judged on the rows a
run is in alone, the drops cascade: every drop lowers the total, so every buurt's share of it
tightens, and a plan of 120 neighbourhoods with a 2.5 % buurt share lost all its 124 runs.
When no drop lowers the sum, the greedy tries again with another expected total.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse

from app.optimizer.model.matrix import column_entries

_TOLERANCE = 1e-7


def drop_until_shares_hold(
    columns: np.ndarray,
    by_row: sparse.csr_matrix,
    by_column: sparse.csc_matrix,
    lower: np.ndarray,
    upper: np.ndarray,
    total_col: int,
    corporation_total: np.ndarray,
    order: np.ndarray,
    pair_of: np.ndarray,
    deadline: float,
) -> list[int]:
    """Drop runs from `columns` (candidates, pair indicators, `total_col` = the real total)
    in `order` (the candidates worth least first), while a drop lowers what the rows miss; the
    runs dropped, in order. `pair_of[c]`: the pair indicator column of candidate c, or -1."""
    activity = np.asarray(by_column @ columns).ravel()
    total_rows, total_coefficients = column_entries(by_column, total_col)
    tied = np.zeros(len(lower), dtype=bool)
    tied[total_rows] = True
    taken = [int(c) for c in order if columns[c] > 0.5]
    pair_runs: dict[int, int] = {}
    for c in taken:
        if pair_of[c] >= 0:
            pair_runs[int(pair_of[c])] = pair_runs.get(int(pair_of[c]), 0) + 1

    def missed(rows: np.ndarray, act: np.ndarray) -> np.ndarray:
        return np.maximum(act - upper[rows], 0) + np.maximum(lower[rows] - act, 0)

    def drop_of(c: int) -> tuple[np.ndarray, np.ndarray]:
        rows, amounts = column_entries(by_column, c)
        parts_rows = [rows, total_rows]
        parts = [-amounts, -corporation_total[c] * total_coefficients]
        pair = int(pair_of[c])
        if pair >= 0 and pair_runs.get(pair, 0) == 1:  # its pair's last run
            pair_rows, pair_amounts = column_entries(by_column, pair)
            parts_rows.append(pair_rows)
            parts.append(-pair_amounts)
        merged, inverse = np.unique(np.concatenate(parts_rows), return_inverse=True)
        return merged, np.bincount(inverse, np.concatenate(parts))

    dropped: list[int] = []
    while time.monotonic() < deadline:
        over = np.flatnonzero(activity - upper > 1e-9)
        if not over.size and not np.any(lower - activity > 1e-9):
            break
        tries = taken
        if over.size:  # a cap exceeded: the runs that add to it are tried first
            block = by_row[over]
            adding = set(block.indices[block.data > 0].tolist())
            tries = [c for c in taken if c in adding] + [c for c in taken if c not in adding]
        for c in tries:
            rows, delta = drop_of(c)
            before, after = missed(rows, activity[rows]), missed(rows, activity[rows] + delta)
            other = ~tied[rows]
            if np.any(after[other] > before[other] + _TOLERANCE):
                continue
            if after.sum() < before.sum() - _TOLERANCE:
                break
        else:
            break  # no drop helps: the rows missed are not the shares'
        activity[rows] += delta
        columns[c] = 0.0
        columns[total_col] -= corporation_total[c]
        pair = int(pair_of[c])
        if pair >= 0:
            pair_runs[pair] -= 1
            if pair_runs[pair] == 0:
                columns[pair] = 0.0
        taken.remove(c)
        dropped.append(c)
    return dropped
