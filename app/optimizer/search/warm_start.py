"""A greedy feasible plan, handed to the solver as its first incumbent.

Lazy greedy on value per corporation euro: the value is a sum of concave functions of summed
effects, so a candidate's marginal gain only falls as the plan grows, and a stale gain is an
upper bound. A candidate is taken when no rule of the model ends up more violated than before
(lock-ins and minimum shares start violated and may only improve). The rows are read from the
built model itself, so the warm start can never disagree with the rules it must respect.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence

import numpy as np

from app.optimizer.model.arrays import row_bounds
from app.optimizer.model.build import Model
from app.optimizer.model.matrix import column_entries
from app.optimizer.problem.instance import Instance
from app.optimizer.problem.value import cell_factor, cell_value, piece_weights, segment_count
from app.optimizer.search.greedy_setup import TOLERANCE, GreedySetup, greedy_setup
from app.optimizer.search.share_trim import drop_until_shares_hold

# How many prerequisites deep a locked-in run's are taken for it (a run requiring one that
# requires another is two).
_PREREQUISITE_DEPTH = 3


def greedy_plan(
    inst: Instance,
    model: Model,
    time_budget_s: float = 5.0,
    relaxed: np.ndarray | None = None,
) -> np.ndarray | None:
    """A full column vector (x, pieces, totals) of a feasible plan, or None when none was found.

    Shares are checked against the total spend the plan is expected to reach; when the plan
    ends below it (another rule binds first), it is tried again with the total it reached, and
    when it leaves a minimum share unmet, again with that minimum met first.
    With `relaxed` (the LP relaxation's columns) the candidates the relaxation funds are tried
    first, most funded first, and its total spend is the one expected: LP rounding, with every
    rule kept.
    """
    if inst.n_candidates == 0:
        return None
    deadline = time.monotonic() + time_budget_s
    expected = _budget_total(inst)
    prefer = None
    setup = greedy_setup(inst, model)
    if relaxed is not None:
        funded = relaxed[: inst.n_candidates]
        prefer = np.flatnonzero(funded > 1e-6)
        # Runs that count toward a minimum share go first: taken after the others, they would
        # find the budget spent, and rounding the rest down can leave the minimum unmet.
        behind = ~setup.toward_minimum[prefer]
        prefer = prefer[np.lexsort((-funded[prefer], behind))]
        expected = float(inst.corporation.sum(axis=1) @ funded) / 1000.0
    early = False
    for _ in range(3):
        plan, reached, short = _greedy(inst, model, setup, expected, deadline, prefer, early)
        if plan is not None or time.monotonic() > deadline:
            return plan
        if short and not early:
            # A minimum share left unmet: the budget was spent before it was repaired. Once
            # more, with the minimum met before the relaxation's other runs come in (kept a
            # second try: on plans that work without it, it costs up to half their value).
            early = True
        else:
            expected = 0.9 * reached
    return None


def _greedy(
    inst: Instance,
    model: Model,
    setup: GreedySetup,
    expected_total: float,
    deadline: float,
    prefer: np.ndarray | None = None,
    early_minimum: bool = False,
) -> tuple[np.ndarray | None, float, bool]:
    """A plan or None, the total spend it reached, and whether a minimum share was unmet."""
    n_rows, n_cols = model.n_rows, model.n_cols
    by_row, matrix, lower, upper = setup.by_row, setup.matrix, setup.lower, setup.upper
    locked_out, total_col, pair_of = setup.locked_out, setup.total_col, setup.pair_of
    corporation_total, cost, ratio = setup.corporation_total, setup.cost, setup.ratio

    activity = np.zeros(n_rows)
    columns = np.zeros(n_cols)
    effect = np.zeros(inst.gap.shape)
    factor = cell_factor(inst)

    weights = piece_weights(inst)
    # Each neighbourhood's cell values as the plan stands: most gains asked for are in a
    # neighbourhood the plan has not changed since, so its "before" is read, not recomputed.
    value_now: dict[int, np.ndarray] = {}

    def gain(c: int) -> float:
        n, i = int(inst.cand_n[c]), int(inst.cand_i[c])
        hood = np.array([n])
        after = effect[n] + inst.effects[i][:, None] * inst.effect_years[c][None, :]
        before = value_now.get(n)
        if before is None:
            before = value_now[n] = cell_value(inst, effect[n][None], hood, weights)[0]
        return float((factor[n] * (cell_value(inst, after[None], hood, weights)[0] - before)).sum())

    # Shares are checked against the total the plan is expected to reach (the budget), not the
    # running total: otherwise the first run alone would be 100 % of spend and break every share.
    if total_col is not None:
        activity += matrix[:, total_col].toarray().ravel() * expected_total

    def change(c: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows a candidate touches and by how much (its pair indicator included)."""
        rows, amounts = column_entries(matrix, c)
        pair = int(pair_of[c])
        if pair < 0 or columns[pair] != 0:
            return rows, amounts
        pair_rows, pair_amounts = column_entries(matrix, pair)
        merged, inverse = np.unique(np.concatenate([rows, pair_rows]), return_inverse=True)
        return merged, np.bincount(inverse, np.concatenate([amounts, pair_amounts]))

    def violation(act: np.ndarray, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        return over_bounds(act, lower[rows], upper[rows])

    def over_bounds(act: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        return np.maximum(act - high, 0) + np.maximum(low - act, 0)

    # Lock-ins and shares start unmet: the greedy may leave them unmet on its way and
    # repairs them at the end; every other row must never become more violated.
    soft = setup.soft

    def try_add(c: int, must_improve: np.ndarray | None = None) -> bool:
        if locked_out[c] or columns[c] == 1:
            return False
        touched, delta = change(c)
        hard = ~soft[touched]
        rows = touched[hard]
        now, low, high = activity[rows], lower[rows], upper[rows]
        before = over_bounds(now, low, high)
        after = over_bounds(now + delta[hard], low, high)
        if np.any(after > before + TOLERANCE):
            return False
        if must_improve is not None:
            wanted = np.isin(touched, must_improve)
            rows = touched[wanted]
            if (
                violation(activity[rows] + delta[wanted], rows).sum()
                >= violation(activity[rows], rows).sum() - TOLERANCE
            ):
                return False
        activity[touched] += delta
        columns[c] = 1
        pair = int(pair_of[c])
        if pair >= 0:
            columns[pair] = 1
        effect[inst.cand_n[c]] += (
            inst.effects[inst.cand_i[c]][:, None] * inst.effect_years[c][None, :]
        )
        value_now.pop(int(inst.cand_n[c]), None)
        return True

    soft_rows = np.flatnonzero(soft)

    def with_prerequisites(c: int, must_improve: np.ndarray | None, depth: int = 0) -> bool:
        """`try_add`, taking first, for each prerequisite the run lacks, the best one that
        fits: a locked-in run that requires another can be added no other way (mutated
        scenario 65: the greedy never had a plan, and the stages after it started from none)."""
        if try_add(c, must_improve):
            return True
        if depth >= _PREREQUISITE_DEPTH or locked_out[c] or columns[c] == 1:
            return False
        rows, amounts = column_entries(matrix, c)
        lacking = rows[setup.prerequisite[rows] & (activity[rows] + amounts > upper[rows])]
        for r in lacking.tolist():
            offered = by_row.indices[by_row.indptr[r] : by_row.indptr[r + 1]]
            sign = by_row.data[by_row.indptr[r] : by_row.indptr[r + 1]]
            offered = offered[(sign < 0) & (offered < inst.n_candidates)]
            offered = offered[np.argsort(-ratio[offered], kind="stable")]
            if not any(with_prerequisites(int(p), None, depth + 1) for p in offered):
                return False
        return len(lacking) > 0 and try_add(c, must_improve)

    def repair(rows: np.ndarray, prerequisites: bool = False) -> None:
        """Add the best candidates that reduce what is still unmet in `rows`: only those with a
        positive coefficient in an unmet row can, so only those are tried (with what they
        require, for lock-ins)."""
        unmet = rows[violation(activity[rows], rows) > 1e-9]
        block = by_row[unmet]
        helpful = np.unique(block.indices[block.data > 0])
        helpful = helpful[helpful < inst.n_candidates]
        add = with_prerequisites if prerequisites else try_add
        for c in helpful[np.argsort(-ratio[helpful], kind="stable")]:
            if violation(activity[rows], rows).sum() <= 1e-9 or time.monotonic() > deadline:
                return
            add(int(c), rows)

    repair(setup.locks, prerequisites=True)
    # The relaxation's candidates go first, those toward a minimum share ahead of the others
    # (see `greedy_plan`). Where the relaxation meets a minimum only with fractions of runs too
    # large to take whole (a neighbourhood's cap), `early_minimum` meets it from the other runs
    # toward it before the rest of the relaxation's runs spend the budget.
    preferred = prefer if prefer is not None else np.zeros(0, np.int64)
    ahead = int(setup.toward_minimum[preferred].sum()) if early_minimum else -1
    for k, c in enumerate(preferred):
        if time.monotonic() > deadline:
            break
        if k == ahead:
            repair(soft_rows)
        try_add(int(c))
    repair(soft_rows)  # minimum shares of the expected total, before the budget is spent
    heap = [(-g, c) for c, g in enumerate(ratio) if g > 0 and columns[c] == 0 and not locked_out[c]]
    heapq.heapify(heap)
    refused_in_a_row = 0
    while heap and refused_in_a_row < 2000 and time.monotonic() < deadline:
        _, c = heapq.heappop(heap)
        fresh = gain(c) / cost[c]
        if fresh <= 0:
            continue
        if heap and -fresh > heap[0][0] + 1e-12:
            heapq.heappush(heap, (-fresh, c))
            continue
        refused_in_a_row = 0 if try_add(c) else refused_in_a_row + 1
    repair(soft_rows)
    if total_col is not None:  # from the expected total to the real one
        total = float(corporation_total @ columns[: inst.n_candidates])
        activity += matrix[:, total_col].toarray().ravel() * (total - expected_total)
        columns[total_col] = total
        repair(soft_rows)

    total = float(corporation_total @ columns[: inst.n_candidates])
    if total_col is not None and np.any(violation(activity) > 1e-6):
        # A share missed at the real total: drop the runs worth least until the shares hold.
        # Kept only when they do with something worth having left; else the next try starts
        # from this one's total, as before.
        trimmed = columns.copy()
        trimmed[total_col] = total
        dropped = drop_until_shares_hold(
            trimmed,
            by_row,
            matrix,
            lower,
            upper,
            total_col,
            corporation_total,
            np.argsort(ratio, kind="stable"),
            pair_of,
            deadline,
        )
        exact_activity = by_row @ trimmed
        kept = (trimmed[: inst.n_candidates] > 0.5) & (ratio > 0)
        if kept.any() and not np.any(violation(exact_activity) > 1e-6):
            columns, activity, total = trimmed, exact_activity, float(trimmed[total_col])
            for c in dropped:
                effect[inst.cand_n[c]] -= (
                    inst.effects[inst.cand_i[c]][:, None] * inst.effect_years[c][None, :]
                )
    unmet = violation(activity) > 1e-6
    if np.any(unmet):  # a lock-in or share the greedy could not meet
        return None, total, bool(np.any(unmet & setup.minimum))
    if total_col is not None:
        columns[total_col] = total
    _fill_pieces(inst, model, effect, columns)
    # The bookkeeping above is incremental; the plan is only handed on when every row of the
    # model holds for it exactly (it may become the answer when the solver finds nothing).
    exact = by_row @ columns
    row_lower, row_upper = row_bounds(model)
    scale = 1e-6 * np.maximum(1.0, np.abs(exact))
    if np.any(exact > row_upper + scale) or np.any(exact < row_lower - scale):
        return None, total, False
    return columns, total, False


def _budget_total(inst: Instance) -> float:
    """The corporation spend a budget-bound plan reaches, in model units (k€)."""
    return 0.95 * inst.most_corporation_spend() / 1000.0


def _fill_pieces(inst: Instance, model: Model, effect: np.ndarray, columns: np.ndarray) -> None:
    """Pieces take the credited improvement deepest first, within each piece's width."""
    pieces = [(p, name) for p, name in enumerate(model.column_names()) if name.startswith("y")]
    if not pieces:
        return
    at = np.array([p for p, _ in pieces])
    n, d, t, k = np.array([name[1:].split("_") for _, name in pieces], dtype=np.int64).T
    width = inst.gap[n, d, t] / segment_count(inst)
    columns[at] = np.clip(effect[n, d, t] - k * width, 0.0, width)


def plan_start(
    inst: Instance,
    model: Model,
    funded: Sequence[tuple[str, str, int]],
    time_budget_s: float,
) -> np.ndarray | None:
    """A feasible plan near a previous one (a what-if's parent, a sweep's neighbouring point):
    its runs (intervention key, neighbourhood code, calendar start year) that are still
    candidates are taken first, each only while every rule still holds, and the greedy then
    fills what room is left. None when no plan was found (a lock-in it could not meet)."""
    index = {
        (inst.intervention_keys[int(i)], inst.codes[int(n)], inst.calendar(int(s))): c
        for c, (i, n, s) in enumerate(zip(inst.cand_i, inst.cand_n, inst.cand_s, strict=True))
    }
    chosen = [index[key] for key in dict.fromkeys(funded) if key in index]
    if not chosen or inst.n_candidates == 0:
        return None
    preferred = np.zeros(model.n_cols)
    preferred[chosen] = 1.0
    return greedy_plan(inst, model, time_budget_s, preferred)
