"""Points 9–10 of DESIGN §3: locks, exclusive groups, prerequisites, counts per pair and in total.

All rows have coefficients ±1 on the decisions x(c) (and on the pair-use columns u); each family
is built for all neighbourhoods at once from the candidate arrays.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from app.optimizer.model.matrix import GE, LE, Collector
from app.optimizer.problem.instance import Instance


def combinatorial_rows(inst: Instance, out: Collector, plain: bool) -> np.ndarray:
    """Adds the rows to `out`; returns the candidates a lock keeps out (upper bound 0)."""
    locked_out = _lock_rows(inst, out)
    _exclusive_rows(inst, out)
    _requires_rows(inst, out, plain)
    _count_rows(inst, out)
    return locked_out


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first position, length) of each run of equal values in sorted `keys`."""
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return first, np.diff(np.r_[first, keys.size])


def _lock_rows(inst: Instance, out: Collector) -> np.ndarray:
    s = inst.scenario
    key_index = {key: i for i, key in enumerate(inst.intervention_keys)}
    code_index = {code: n for n, code in enumerate(inst.codes)}
    locked_out: list[np.ndarray] = []
    for lock in s.rules.locks:
        i, n = key_index[lock.intervention], code_index[lock.neighbourhood]
        pair = np.flatnonzero((inst.cand_i == i) & (inst.cand_n == n))
        if lock.start_year is not None:
            pair = pair[inst.start_year + inst.cand_s[pair] == lock.start_year]
        if lock.fund:
            out.add_row(
                f"lock_in:{lock.intervention}:{lock.neighbourhood}",
                pair,
                np.ones(pair.size),
                GE,
                1.0,
            )
        else:
            locked_out.append(pair)
    return np.concatenate(locked_out) if locked_out else np.zeros(0, dtype=np.int64)


def _exclusive_rows(inst: Instance, out: Collector) -> None:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, intervention in enumerate(inst.scenario.interventions):
        if intervention.exclusive_group is not None:
            groups[intervention.exclusive_group].append(i)
    for group, members in groups.items():
        rank = np.full(len(inst.intervention_keys), -1)
        rank[members] = np.arange(len(members))
        cands = np.flatnonzero(rank[inst.cand_i] >= 0)
        # Per neighbourhood: the runs of each member in turn, each in candidate order.
        cands = cands[np.lexsort((cands, rank[inst.cand_i[cands]], inst.cand_n[cands]))]
        hood = inst.cand_n[cands]
        first, size = _groups(hood)
        keep = size > 1
        rows = np.repeat(keep, size)
        kinds = [f"exclusive:{group}:{n}" for n in hood[first[keep]].tolist()]
        out.add_rows(kinds, size[keep], cands[rows], np.ones(int(rows.sum())), LE, 1.0)


def _requires_rows(inst: Instance, out: Collector, plain: bool) -> None:
    """Per candidate c of i, in candidate order, and per prerequisite j of i in listed order:
    Σ_{u≤s} x(i,n,u) − Σ_{u≤s} x(j,n,u) ≤ 0 when i runs at most once per neighbourhood
    (cumulative: valid only then, and the integral hull of the pair), else x(c) − Σ_{u≤s}
    x(j,n,u) ≤ 0."""
    s = inst.scenario
    key_index = {key: i for i, key in enumerate(inst.intervention_keys)}
    required = [[key_index[r] for r in i.requires] for i in s.interventions]
    wanted = np.array([len(r) for r in required], dtype=np.int64)
    if inst.n_candidates == 0 or not wanted.any():
        return
    horizon = inst.horizon
    at = np.full((len(required), len(inst.codes), horizon), -1, dtype=np.int64)
    at[inst.cand_i, inst.cand_n, inst.cand_s] = np.arange(inst.n_candidates)
    cands = np.flatnonzero(wanted[inst.cand_i])
    per = wanted[inst.cand_i[cands]]
    c = np.repeat(cands, per)
    which = np.arange(len(c)) - np.repeat(np.cumsum(per) - per, per)
    offsets = np.cumsum(wanted) - wanted
    flat = np.array([j for r in required for j in r], dtype=np.int64)
    i, n, t = inst.cand_i[c], inst.cand_n[c], inst.cand_s[c]
    j = flat[offsets[i] + which]
    upto = np.arange(horizon)[None, :] <= t[:, None]  # (rows, H)
    single = np.array(
        [x.max_per_neighbourhood == 1 and not plain for x in s.interventions], dtype=bool
    )[i]
    mine = np.where(upto, at[i, n, :], -1)
    alone = np.full_like(mine, -1)
    alone[:, 0] = c
    mine = np.where(single[:, None], mine, alone)
    earlier = np.where(upto, at[j, n, :], -1)
    both = np.concatenate([mine, earlier], axis=1)
    sign = np.repeat([1.0, -1.0], horizon)[None, :]
    present = both >= 0
    kind_of = {
        (a, b): f"requires:{inst.intervention_keys[a]}:{inst.intervention_keys[b]}"
        for a, r in enumerate(required)
        for b in r
    }
    kinds = [kind_of[pair] for pair in zip(i.tolist(), j.tolist(), strict=True)]
    value = np.broadcast_to(sign, both.shape)[present]
    out.add_rows(kinds, present.sum(axis=1), both[present], value, LE, 0.0)


def _count_rows(inst: Instance, out: Collector) -> None:
    """Per intervention: at most `max_per_neighbourhood` runs per neighbourhood, and runs in at
    most `max_total` neighbourhoods (through a pair-use column u(i,n) unless at most one run per
    neighbourhood is allowed)."""
    order = np.lexsort((np.arange(inst.n_candidates), inst.cand_n, inst.cand_i))
    bounds = np.searchsorted(inst.cand_i[order], np.arange(len(inst.intervention_keys) + 1))
    for i, intervention in enumerate(inst.scenario.interventions):
        cands = order[bounds[i] : bounds[i + 1]]
        hood = inst.cand_n[cands]
        first, size = _groups(hood)
        most = intervention.max_per_neighbourhood
        if most is not None:
            keep = size > most
            rows = np.repeat(keep, size)
            kinds = [
                f"max_per_neighbourhood:{intervention.key}:{n}" for n in hood[first[keep]].tolist()
            ]
            out.add_rows(kinds, size[keep], cands[rows], np.ones(int(rows.sum())), LE, float(most))
        if intervention.max_total is None or len(first) <= intervention.max_total:
            continue
        if most == 1:
            terms, coefficients = cands, np.ones(cands.size)
        else:
            pairs = hood[first].tolist()
            used = out.add_columns([f"u{i}_{n}" for n in pairs], [1] * len(pairs), integer=False)
            pair_of = used + np.repeat(np.arange(len(pairs)), size)
            kind_of = [f"uses_pair:{intervention.key}:{n}" for n in pairs]
            out.add_rows(
                [kind_of[p] for p in np.repeat(np.arange(len(pairs)), size).tolist()],
                np.full(cands.size, 2),
                np.stack([cands, pair_of], axis=1).ravel(),
                np.tile([1.0, -1.0], cands.size),
                LE,
                0.0,
            )
            terms = np.arange(used, used + len(pairs))
            coefficients = np.ones(len(pairs))
        out.add_row(
            f"max_total:{intervention.key}", terms, coefficients, LE, float(intervention.max_total)
        )
