"""Points 6–7 of DESIGN §3: the value pieces, their objective weights and the link rows.

Per cell (n,d,t) with a gap and at least one run whose effect lands in it, the gap is cut into S
pieces y(k) ≤ g/S with objective weight F × ω(k), linked to the decisions by one row per depth K
that can bind:

    Σ_{k<K} y(k) − Σ_c min(e_c, K·g/S) · x(c) ≤ 0

(see `build` for why). Everything is computed for all cells at once: the runs of a cell are the
candidates, in candidate order, whose effect in d is positive, active in year t, in a
neighbourhood with a gap there.
"""

from __future__ import annotations

import numpy as np

from app.optimizer.model.matrix import LE, Collector
from app.optimizer.problem.instance import Instance
from app.optimizer.problem.value import cell_factor, piece_weights, segment_count

_CHUNK = 1 << 14  # candidates per step of the direct-value sum, to bound its temporary


def value_rows(inst: Instance, out: Collector, plain: bool) -> tuple[np.ndarray, np.ndarray]:
    """Adds the pieces and the link rows to `out`; returns the objective (columns, weights)."""
    cap = inst.scenario.objective.cap_at_target
    segments = segment_count(inst)
    factor = cell_factor(inst)
    weights = piece_weights(inst)
    objective_cols: list[np.ndarray] = []
    objective_vals: list[np.ndarray] = []
    if not cap:
        # Weight 1 on every unit of effect inside the horizon, gap or not.
        direct = _direct_value(inst, factor)
        paid = np.flatnonzero(direct)
        objective_cols.append(paid)
        objective_vals.append(direct[paid])
        weights = weights - 1.0

    n, d, t, c, e = _cell_runs(inst)
    key = (n * len(inst.domain_keys) + d) * inst.horizon + t
    order = np.lexsort((c, key))
    n, d, t, c, e, key = n[order], d[order], t[order], c[order], e[order], key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, int)
    runs = np.diff(np.r_[first, key.size])
    cn, cd, ct = n[first], d[first], t[first]
    omega = weights[cn, cd, ct]  # (cells, S)
    kept = (omega > 0).any(axis=1)
    first, runs, cn, cd, ct, omega = (
        first[kept],
        runs[kept],
        cn[kept],
        cd[kept],
        ct[kept],
        omega[kept],
    )
    cells = len(first)

    gap = inst.gap[cn, cd, ct]
    width = gap / segments
    names = [
        f"y{a}_{b}_{g}_{k}"
        for a, b, g in zip(cn.tolist(), cd.tolist(), ct.tolist(), strict=True)
        for k in range(segments)
    ]
    upper = [w for w in width.tolist() for _ in range(segments)]
    first_piece = out.add_columns(names, upper, integer=False)
    objective_cols.append(np.arange(first_piece, first_piece + cells * segments))
    objective_vals.append((factor[cn, cd, ct][:, None] * omega).ravel())

    # Rows: per cell the depths K = 1 … S that can bind, in order.
    depth = np.arange(1, segments + 1)
    largest = np.maximum.reduceat(e, first) if cells else np.zeros(0)
    if plain:
        binds = np.broadcast_to(depth == segments, (cells, segments))
    else:
        binds = (depth == segments) | (largest[:, None] > depth * width[:, None])
    row_cell, row_k = np.nonzero(binds)  # cell-major, depth ascending
    if plain:
        reach = np.full(len(row_cell), np.inf)
    else:
        reach = np.minimum((row_k + 1) * width[row_cell], gap[row_cell])
    pieces = row_k + 1
    counts = pieces + runs[row_cell]
    starts = np.r_[0, np.cumsum(counts)]
    within = np.arange(starts[-1]) - np.repeat(starts[:-1], counts)
    pieces_rep = np.repeat(pieces, counts)
    is_piece = within < pieces_rep
    run_at = np.where(is_piece, 0, np.repeat(first[row_cell], counts) + (within - pieces_rep))
    piece_col = first_piece + np.repeat(row_cell, counts) * segments + within
    index = np.where(is_piece, piece_col, c[run_at])
    value = np.where(is_piece, 1.0, -np.minimum(e[run_at], np.repeat(reach, counts)))
    out.add_rows(["value_link"] * len(row_cell), counts, index, value, LE, 0.0)
    return np.concatenate(objective_cols), np.concatenate(objective_vals)


def _direct_value(inst: Instance, factor: np.ndarray) -> np.ndarray:
    """Σ_{d,t} e(c,d) × F(n,d,t) over the effect years of each candidate, (C,)."""
    direct = np.zeros(inst.n_candidates)
    for lo in range(0, inst.n_candidates, _CHUNK):
        part = slice(lo, lo + _CHUNK)
        direct[part] = np.einsum(
            "cd,cdt->c",
            inst.effects[inst.cand_i[part]],
            factor[inst.cand_n[part]] * inst.effect_years[part, None, :],
        )
    return direct


def _cell_runs(inst: Instance) -> tuple[np.ndarray, ...]:
    """(n, d, t, c, e) for every run c whose effect e > 0 in domain d is active in year t in a
    neighbourhood n with a gap in (d, t)."""
    parts: list[tuple[np.ndarray, ...]] = []
    for d in range(len(inst.domain_keys)):
        per_candidate = inst.effects[inst.cand_i, d]
        affects = np.flatnonzero(per_candidate > 0)
        for t in range(inst.horizon):
            active = affects[inst.effect_years[affects, t]]
            active = active[inst.gap[inst.cand_n[active], d, t] > 0]
            size = active.size
            parts.append(
                (
                    inst.cand_n[active],
                    np.full(size, d),
                    np.full(size, t),
                    active,
                    per_candidate[active],
                )
            )
    if not parts:
        return tuple(np.zeros(0, dtype=int) for _ in range(4)) + (np.zeros(0),)
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))
