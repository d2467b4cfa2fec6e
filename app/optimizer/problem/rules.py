"""Which rules a plan breaks — every rule of DESIGN §3: lines, shares, exclusive groups,
prerequisites, counts and locks — each named by a key and in plain words.

`RuleChecker(inst, chosen)` sums the plan's activities once; `broken_with(c)` then answers for
the plan plus one run of candidate c in time proportional to what c touches. That is exact
because adding a run only ever raises a line, a group's count, a pair's count, the set of
buurten of an intervention and the total spend: so beyond the rules the plan already breaks,
only the rules c touches can break — its lines, its exclusive group and pair in its buurt, its
intervention's `max_total`, its prerequisites, a lock-out covering it, its buurt's share, its
domain's maximum share, and every domain's minimum share (the total grows).
"""

from __future__ import annotations

from collections import ChainMap, defaultdict
from collections.abc import Mapping

import numpy as np
from scipy import sparse

from app.optimizer.problem.instance import Instance
from app.optimizer.problem.lines import Line, domain_label, euros, hood_name, limit_lines
from app.schemas.explanation import RuleRef

_TOLERANCE = 1e-6


def _exceeds(activity: float, limit: float) -> bool:
    return activity > limit + _TOLERANCE * max(1.0, abs(limit))


def lock_candidates(inst: Instance, k: int) -> np.ndarray:
    """(C,) bool: the candidates lock k covers (its pair, narrowed by its start year)."""
    lock = inst.scenario.rules.locks[k]
    i = inst.intervention_keys.index(lock.intervention)
    n = inst.codes.index(lock.neighbourhood)
    covered = (inst.cand_i == i) & (inst.cand_n == n)
    if lock.start_year is not None:
        covered &= inst.start_year + inst.cand_s == lock.start_year
    return covered


def lock_label(inst: Instance, k: int) -> str:
    lock = inst.scenario.rules.locks[k]
    i = inst.intervention_keys.index(lock.intervention)
    n = inst.codes.index(lock.neighbourhood)
    name = inst.scenario.interventions[i].name or lock.intervention
    year = f" from {lock.start_year}" if lock.start_year is not None else ""
    what = "fund" if lock.fund else "not fund"
    return f"the lock to {what} {name} in {hood_name(inst, n)}{year}"


def broken_rules(
    inst: Instance, chosen: np.ndarray, lines: list[Line] | None = None
) -> list[RuleRef]:
    """Every rule the plan `chosen` ((C,) run counts) breaks, in a fixed order."""
    return RuleChecker(inst, chosen, lines).broken()


class RuleChecker:
    def __init__(self, inst: Instance, chosen: np.ndarray, lines: list[Line] | None = None):
        self.inst = inst
        s = inst.scenario
        self.chosen = np.asarray(chosen, dtype=float)
        self.lines = limit_lines(inst) if lines is None else lines
        rows = np.concatenate(
            [np.full(len(li.members), k) for k, li in enumerate(self.lines)]
            or [np.zeros(0, np.int64)]
        )
        cols = np.concatenate([li.members for li in self.lines] or [np.zeros(0, np.int64)])
        vals = np.concatenate([li.values for li in self.lines] or [np.zeros(0)])
        self.matrix = sparse.csc_matrix(
            (vals, (rows, cols)), shape=(len(self.lines), inst.n_candidates)
        )
        self.used = self.matrix @ self.chosen
        self.spend = inst.corporation.sum(axis=1)
        self.primary = inst.primary_domain()
        self.total = float(self.spend @ self.chosen)
        self.domain_spend = np.bincount(
            self.primary, self.spend * self.chosen, minlength=len(inst.domain_keys)
        )
        self.hood_spend = np.bincount(
            inst.cand_n, self.spend * self.chosen, minlength=len(inst.codes)
        )
        self.count: dict[tuple[int, int], float] = defaultdict(float)
        self.funded: set[tuple[int, int, int]] = set()
        for c in np.flatnonzero(self.chosen):
            i, n = int(inst.cand_i[c]), int(inst.cand_n[c])
            self.count[(i, n)] += float(self.chosen[c])
            self.funded.add((i, n, int(inst.cand_s[c])))
        self.group_of = {i: iv.exclusive_group for i, iv in enumerate(s.interventions)}
        self.groups: dict[str, list[int]] = defaultdict(list)
        for i, group in self.group_of.items():
            if group is not None:
                self.groups[group].append(i)
        # Per intervention, the buurten the plan runs it in (one run added changes one entry).
        self.places: dict[int, set[int]] = defaultdict(set)
        for (i, n), k in self.count.items():
            if k > 0:
                self.places[i].add(n)
        self.key_index = {key: i for i, key in enumerate(inst.intervention_keys)}
        self.lock_cover = [
            np.flatnonzero(lock_candidates(inst, k)) for k in range(len(s.rules.locks))
        ]
        self.locked_out: dict[int, list[int]] = defaultdict(list)
        for k, lock in enumerate(s.rules.locks):
            if not lock.fund:
                for c in self.lock_cover[k]:
                    self.locked_out[int(c)].append(k)
        self._broken: list[RuleRef] | None = None

    # ------------------------------------------------------------------ the plan itself

    def broken(self) -> list[RuleRef]:
        if self._broken is None:
            inst = self.inst
            every = range(len(self.lines))
            out = self._lines(every, self.used)
            out += self._shares(
                range(len(inst.domain_keys)),
                range(len(inst.codes)),
                self.domain_spend,
                self.hood_spend,
                self.total,
            )
            out += self._combinatorial(self.count, self.funded, None)
            out += self._locks(range(len(inst.scenario.rules.locks)), self.chosen)
            self._broken = out
        return self._broken

    def broken_with(self, c: int) -> list[RuleRef]:
        """The rules the plan plus one run of candidate c breaks."""
        inst = self.inst
        if self.broken():  # the plan breaks rules already: check everything again
            plus = self.chosen.copy()
            plus[c] += 1
            return RuleChecker(inst, plus, self.lines).broken()
        start, end = self.matrix.indptr[c], self.matrix.indptr[c + 1]
        touched = self.matrix.indices[start:end]
        used = self.used.copy()
        used[touched] += self.matrix.data[start:end]
        out = self._lines(sorted(touched.tolist()), used)
        d, n, amount = int(self.primary[c]), int(inst.cand_n[c]), float(self.spend[c])
        domain_spend = self.domain_spend.copy()
        domain_spend[d] += amount
        hood_spend = self.hood_spend.copy()
        hood_spend[n] += amount
        out += self._shares(
            range(len(inst.domain_keys)), [n], domain_spend, hood_spend, self.total + amount
        )
        i, s = int(inst.cand_i[c]), int(inst.cand_s[c])
        # The plan's counts with this run added, without copying them (one per candidate).
        count = ChainMap({(i, n): self.count.get((i, n), 0.0) + 1}, self.count)
        out += self._combinatorial(count, self.funded | {(i, n, s)}, (i, n, s))
        locks = self.locked_out.get(c, [])
        if locks:
            plus = self.chosen.copy()
            plus[c] += 1
            out += self._locks(locks, plus)
        return out

    # ------------------------------------------------------------------ rule by rule

    def _lines(self, which: range | list[int], used: np.ndarray) -> list[RuleRef]:
        out = []
        for k in which:
            line = self.lines[k]
            if _exceeds(float(used[k]), line.limit):
                out.append(
                    RuleRef(
                        rule=line.key,
                        message=f"{line.label} "
                        f"({line.amount(line.limit)}) would be exceeded: "
                        f"{line.amount(float(used[k]))}",
                    )
                )
        return out

    def _shares(
        self, domains: range, hoods: list[int] | range, domain_spend: np.ndarray,
        hood_spend: np.ndarray, total: float,
    ) -> list[RuleRef]:  # fmt: skip
        inst = self.inst
        rules = inst.scenario.rules
        out: list[RuleRef] = []
        for d in domains:
            key = inst.domain_keys[d]
            bounds = rules.domain_share.get(key)
            if bounds is None:
                continue
            spent, name = float(domain_spend[d]), domain_label(inst, key)
            of = f"{euros(spent)} of {euros(total)}"
            if _exceeds(bounds.min * total, spent):
                out.append(
                    RuleRef(
                        rule=f"domain_share_min:{key}",
                        message=f"the minimum share "
                        f"of {name} ({bounds.min:.0%}) would not be met: {of}",
                    )
                )
            if _exceeds(spent, bounds.max * total):
                out.append(
                    RuleRef(
                        rule=f"domain_share_max:{key}",
                        message=f"the maximum share "
                        f"of {name} ({bounds.max:.0%}) would be exceeded: {of}",
                    )
                )
        share = rules.max_neighbourhood_share
        if share is None:
            return out
        for n in hoods:
            spent = float(hood_spend[n])
            if _exceeds(spent, share * total):
                out.append(
                    RuleRef(
                        rule=f"max_neighbourhood_share:{inst.codes[n]}",
                        message=f"{hood_name(inst, n)} would take more than {share:.0%} of all "
                        f"spend: {euros(spent)} of {euros(total)}",
                    )
                )
        return out

    def _combinatorial(
        self, count: Mapping[tuple[int, int], float], funded: set[tuple[int, int, int]],
        added: tuple[int, int, int] | None,
    ) -> list[RuleRef]:  # fmt: skip
        """With `added`, only the rules that run touches (see the module docstring)."""
        inst = self.inst
        s = inst.scenario
        out: list[RuleRef] = []
        for group, members in self.groups.items():
            if added is not None and self.group_of[added[0]] != group:
                continue
            hoods = [added[1]] if added is not None else range(len(inst.codes))
            for n in hoods:
                runs = sum(count.get((i, n), 0.0) for i in members)
                if runs > 1 + _TOLERANCE:
                    out.append(
                        RuleRef(
                            rule=f"exclusive_group:{group}",
                            message=f"exclusive group {group} allows one run per "
                            f"buurt; {hood_name(inst, n)} would have {runs:g}",
                        )
                    )
        seen: set[str] = set()
        for i, n, t in sorted([added] if added is not None else funded):
            for required in s.interventions[i].requires:
                j = self.key_index[required]
                key = f"requires:{inst.intervention_keys[i]}:{required}"
                if key not in seen and not any((j, n, u) in funded for u in range(t + 1)):
                    seen.add(key)
                    out.append(
                        RuleRef(
                            rule=key,
                            message=f"{inst.intervention_keys[i]} needs a "
                            f"run of {required} in the same buurt, started the same "
                            f"year or earlier",
                        )
                    )
        for i, intervention in enumerate(s.interventions):
            if added is not None and i != added[0]:
                continue
            most = intervention.max_per_neighbourhood
            if added is not None:  # only the added run's buurt changed
                pairs = [((i, added[1]), count.get((i, added[1]), 0.0))]
                places = self.places[i] | {added[1]}
            else:
                pairs = [(pair, k) for pair, k in count.items() if pair[0] == i]
                places = {n for (_, n), k in pairs if k > 0}
            over = [n for (_, n), k in pairs if most is not None and k > most + _TOLERANCE]
            if over:
                out.append(
                    RuleRef(
                        rule=f"max_per_neighbourhood:{intervention.key}",
                        message=f"{intervention.key} may run at most {most} time(s) "
                        f"per buurt; {hood_name(inst, over[0])} would have more",
                    )
                )
            if intervention.max_total is not None and len(places) > intervention.max_total:
                out.append(
                    RuleRef(
                        rule=f"max_total:{intervention.key}",
                        message=f"{intervention.key} may run in at most "
                        f"{intervention.max_total} buurt(en); this would make "
                        f"{len(places)}",
                    )
                )
        return out

    def _locks(self, which: range | list[int], chosen: np.ndarray) -> list[RuleRef]:
        out = []
        for k in which:
            lock = self.inst.scenario.rules.locks[k]
            runs = float(chosen[self.lock_cover[k]].sum())
            if (lock.fund and runs < 1 - _TOLERANCE) or (not lock.fund and runs > _TOLERANCE):
                out.append(
                    RuleRef(rule=f"lock:{k}", message=f"{lock_label(self.inst, k)} would be broken")
                )
        return out
