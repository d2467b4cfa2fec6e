"""The value of a plan, DESIGN §3 points 5–7, evaluated directly (no solver).

Value = Σ weight(d) × homes(n) × (1+r)^−t × v(n,d,t). With `cap_at_target` the credited
improvement is min(gap, effects); the prioritarian form cuts the gap into equal pieces filled
deepest first, a piece whose midpoint lies m below target weighing 1 + strength × m / G(d).
Without the cap, improvement beyond the gap weighs 1.
"""

from __future__ import annotations

import numpy as np

from app.optimizer.problem.instance import Instance


def segment_count(inst: Instance) -> int:
    objective = inst.scenario.objective
    if objective.equity == "linear" or objective.equity_strength == 0:
        return 1
    return objective.segments


def piece_weights(inst: Instance) -> np.ndarray:
    """ω(n,d,t,k): the weight of piece k (k = 0 deepest) of each cell's gap, (N,D,H,S)."""
    segments = segment_count(inst)
    objective = inst.scenario.objective
    if objective.equity == "linear" or objective.equity_strength == 0:
        return np.ones((*inst.gap.shape, 1))
    strength = objective.equity_strength
    width = inst.gap / segments
    midpoint_depth = inst.gap[..., None] - (np.arange(segments) + 0.5) * width[..., None]
    largest = inst.largest_gap[None, :, None, None]
    scale = np.divide(strength, largest, out=np.zeros_like(largest), where=largest > 0)
    return 1.0 + scale * midpoint_depth


def cell_factor(inst: Instance) -> np.ndarray:
    """weight(d) × homes(n) × (1+r)^−t, (N,D,H)."""
    return (
        inst.homes[:, None, None]
        * inst.domain_weight[None, :, None]
        * inst.year_factor[None, None, :]
    )


def improvement(inst: Instance, chosen: np.ndarray) -> np.ndarray:
    """Sum of active effects per cell (uncapped), (N,D,H); `chosen` is a (C,) run count."""
    total = np.zeros(inst.gap.shape)
    runs = np.flatnonzero(chosen)
    for c in runs:
        total[inst.cand_n[c]] += (
            chosen[c] * inst.effects[inst.cand_i[c]][:, None] * inst.effect_years[c][None, :]
        )
    return total


def cell_value(
    inst: Instance,
    effect: np.ndarray,
    hoods: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """v(n,d,t) for a given uncapped improvement per cell, before the cell factor.

    With `hoods`, `effect` holds the cells of those neighbourhoods only, (len(hoods), D, H);
    `weights` (from `piece_weights`) may be passed in so that a loop computes them once.
    """
    gap = inst.gap if hoods is None else inst.gap[hoods]
    weights = piece_weights(inst) if weights is None else weights
    if hoods is not None:
        weights = weights[hoods]
    return value_of_cells(inst, effect, gap, weights)


def value_of_cells(
    inst: Instance, effect: np.ndarray, gap: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """v for cells given one by one: their improvement, gap and piece weights (the last axis of
    `weights`), in any shape the three share. A cell without improvement is worth 0 (a gap is
    never negative), so a caller may pass only the cells that have one."""
    segments = segment_count(inst)
    width = gap / segments
    filled = np.clip(
        effect[..., None] - np.arange(segments) * width[..., None], 0.0, width[..., None]
    )
    if inst.scenario.objective.cap_at_target:
        return (weights * filled).sum(axis=-1)
    return effect + ((weights - 1.0) * filled).sum(axis=-1)


def credited(inst: Instance, effect: np.ndarray) -> np.ndarray:
    """c(n,d,t): the credited improvement (capped at the gap when `cap_at_target`)."""
    if inst.scenario.objective.cap_at_target:
        return np.minimum(effect, inst.gap)
    return effect


def plan_value(inst: Instance, chosen: np.ndarray) -> float:
    return float((cell_factor(inst) * cell_value(inst, improvement(inst, chosen))).sum())
