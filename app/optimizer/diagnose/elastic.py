"""What would make an infeasible scenario feasible: an elastic re-solve (DESIGN §4).

Only locks, and what they pull in, can make a scenario infeasible: every other rule is met by
the empty plan. The elastic model is the MILP with a way out of every soft rule:

- each lock k gets a binary release r(k): a lock-in row becomes Σ x + r(k) ≥ 1, and a lock-out
  (x(c) ≤ 0 for the candidates it covers) becomes x(c) ≤ r(k);
- each money or capacity line, cap per regulated home and share rule gets a slack s ≥ 0 in its
  own units: Σ a·x − s ≤ b (a minimum share: Σ a·x + s ≥ min × T).

Two least-cost questions are asked, in this order of preference (releasing what the planner
asked for is preferred over adding money):

1. release as few locks as possible, every rule and limit kept (min Σ r(k));
2. keep every lock and change limits and rules as little as possible, each slack measured
   relative to its line (s / max(limit, one step)), money and capacity weighing ten times a
   rule (a share or the cap), so that a rule is loosened before money is added.

Amounts are rounded up (limits) or towards the change (shares) so that applying them works.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from app.optimizer.backends.resolve import INF, Resolver
from app.optimizer.diagnose.words import (
    Slack,
    limit_changes,
    lock_changes,
    sentence,
    structural_words,
)
from app.optimizer.model.build import MONEY_SCALE, Model
from app.optimizer.problem.instance import Instance
from app.optimizer.problem.lines import Line, limit_lines
from app.optimizer.problem.rules import lock_candidates, lock_label
from app.schemas.explanation import Diagnosis, DiagnosisOption, RuleRef

MONEY_WEIGHT = 10.0
RULE_WEIGHT = 1.0
SHARE_KINDS = ("domain_share_min", "domain_share_max", "max_neighbourhood_share")


class Elastic:
    """The elastic model of one scenario (optionally with one pair forced in)."""

    def __init__(
        self,
        inst: Instance,
        model: Model,
        *,
        cancel: threading.Event | None = None,
        floors: tuple[float, float] = (10_000.0, 0.5),
    ):
        self.inst = inst
        self.r = Resolver(model, cancel=cancel, implied=False)
        r = self.r
        r.set_costs(np.zeros(r.n_cols), maximize=False)
        self.releases: dict[int, int] = {}  # lock index -> release column
        locks = inst.scenario.rules.locks
        lock_in_rows = [k for k, kind in enumerate(model.row_kinds) if kind.startswith("lock_in:")]
        funded_locks = [k for k, lock in enumerate(locks) if lock.fund]
        for k, row in zip(funded_locks, lock_in_rows, strict=True):
            self.releases[k] = r.add_col(0.0, 0.0, 1.0, [row], [1.0], integer=True)
        for k, lock in enumerate(locks):
            if lock.fund:
                continue
            release = r.add_col(0.0, 0.0, 1.0, [], [], integer=True)
            self.releases[k] = release
            for c in np.flatnonzero(lock_candidates(inst, k)):
                r.set_col_bounds(int(c), 0.0, 1.0)
                r.add_row(np.array([c, release]), np.array([1.0, -1.0]), -INF, 0.0)
        # Every slack's cost, coefficient and (row, key, line), to be added in one call.
        costs: list[float] = []
        signs: list[float] = []
        relaxes: list[tuple[int, str, Line | None]] = []
        money_floor, capacity_floor = floors
        for line in limit_lines(inst):
            for row in r.rows(line.row_kind):
                floor = money_floor if line.money else capacity_floor
                scale = max(line.limit, floor) / line.scale
                weight = RULE_WEIGHT if line.kind == "cap_per_regulated_home" else MONEY_WEIGHT
                costs.append(weight / scale)
                signs.append(-1.0)
                relaxes.append((row, line.key, line))
        spend_scale = max(float(inst.corporation.sum()), money_floor) / MONEY_SCALE
        for row, kind in enumerate(model.row_kinds):
            if kind.startswith(SHARE_KINDS):
                costs.append(RULE_WEIGHT / spend_scale)
                signs.append(1.0 if kind.startswith("domain_share_min") else -1.0)
                relaxes.append((row, kind, None))
        rules = len(relaxes)
        for row, kind in enumerate(model.row_kinds):
            rule = _structural_rule(kind)
            if rule is not None:
                # A row with an upper side (≤ or =) gives way upwards, a ≥ row downwards.
                costs.append(1.0)
                signs.append(-1.0 if np.isfinite(model.arrays.row_upper[row]) else 1.0)
                relaxes.append((row, rule, None))
        cols = r.add_single_entry_cols(
            np.array(costs), np.array([row for row, _, _ in relaxes], np.int64), np.array(signs)
        )
        made = [Slack(int(c), *relaxed) for c, relaxed in zip(cols, relaxes, strict=True)]
        self.slacks: list[Slack] = made[:rules]
        self.structural: list[Slack] = made[rules:]
        self.force_row: int | None = None
        self._forced = np.zeros(0, dtype=np.int64)

    def force(self, cols: np.ndarray | None) -> None:
        """Require at least one of `cols` (a candidate pair) to run; None lifts it."""
        r = self.r
        if self.force_row is None:
            self.force_row = r.add_row(np.zeros(0, np.int32), np.zeros(0), -INF, INF)
        r.set_coefficients(self.force_row, self._forced, np.zeros(len(self._forced)))
        self._forced = np.zeros(0, dtype=np.int64)
        if cols is not None and len(cols):
            self._forced = np.asarray(cols, dtype=np.int64)
            r.set_coefficients(self.force_row, self._forced, np.ones(len(cols)))
            r.set_row_bounds(self.force_row, 1.0, INF)
        else:
            r.set_row_bounds(self.force_row, -INF, INF)

    def solve(
        self,
        *,
        release_locks: bool,
        loosen_rules: bool,
        time_limit_s: float,
        loosen_structure: bool = False,
        presolve: bool = True,
    ) -> tuple[list[int], list[tuple[Slack, float]], np.ndarray] | None:
        """(released locks, (slack, amount in model units) used, x) or None when infeasible.

        `loosen_structure` also lets exclusive groups, prerequisites and counts give way (only
        to name what blocks a pair: those rules are the catalogue's, not the planner's)."""
        r = self.r
        for slack in self.structural:
            r.set_col_bounds(slack.col, 0.0, INF if loosen_structure else 0.0)
        for col in self.releases.values():
            r.set_col_bounds(col, 0.0, 1.0 if release_locks else 0.0)
            r.costs[col] = 1.0
        for slack in self.slacks:
            r.set_col_bounds(slack.col, 0.0, INF if loosen_rules else 0.0)
        r.set_costs(r.costs, maximize=False)
        result = r.solve(gap=0.0, time_limit_s=time_limit_s, presolve=presolve)
        if result.values is None:
            return None
        values = result.values
        released = [k for k, col in self.releases.items() if values[col] > 0.5]
        used = [
            (s, float(values[s.col])) for s in self.slacks + self.structural if values[s.col] > 1e-7
        ]
        return released, used, values[: self.inst.n_candidates]


_STRUCTURAL = {
    "exclusive": "exclusive_group",
    "requires": "requires",
    "max_per_neighbourhood": "max_per_neighbourhood",
    "max_total": "max_total",
}


def _structural_rule(kind: str) -> str | None:
    """The rule key of an exclusive-group, prerequisite or count row (None for other rows)."""
    prefix, _, rest = kind.partition(":")
    if prefix not in _STRUCTURAL:
        return None
    if prefix == "requires":
        return kind
    return f"{_STRUCTURAL[prefix]}:{rest.split(':')[0]}"


def diagnose(
    inst: Instance,
    model: Model,
    *,
    time_limit_s: float = 60.0,
    cancel: threading.Event | None = None,
) -> Diagnosis:
    deadline = time.monotonic() + time_limit_s
    elastic = Elastic(inst, model, cancel=cancel)
    # The fewest locks to release: without presolve, which on this model heeds the clock least
    # and buys nothing. Infeasible mutated scenarios (`benchmarks.gen_mutated`, a 10 s limit,
    # presolve on / off): 250 buurten x 70 x 5 years, presolve alone took 7.9 s and ended
    # without a plan (on a 5 s limit the answer came after 8-9.6 s) / proven in 1.9 s; 120 x
    # 70 x 2 1.6 / 0.2 s; six smaller ones within 0.1 s of each other. Half of the time, so
    # that the rules' alternative keeps the other half.
    began = time.monotonic()
    locks = elastic.solve(
        release_locks=True,
        loosen_rules=False,
        time_limit_s=max(0.05, (deadline - began) / 2),
        presolve=False,
    )
    # The smallest change of limits and rules: with presolve, which pays here (the same
    # scenarios: 3.4 s against more than 10 s, 0.1 against 0.35 s, the others alike). Only
    # with as much time left as the first took: HiGHS sets the same model up before it looks
    # at the clock (250 x 70 x 5 on a slower machine: the first took 2.2-2.8 s of its 1.4, and
    # the second, started with nothing left, ran 0.4 s past the answer's limit).
    keep = None
    if deadline - time.monotonic() >= time.monotonic() - began:
        keep = elastic.solve(
            release_locks=False,
            loosen_rules=True,
            time_limit_s=max(0.05, deadline - time.monotonic()),
        )
    changes = [] if locks is None else lock_changes(inst, locks[0])
    alternatives = []
    if keep is not None:
        kept = limit_changes(inst, keep[1], keep[2])
        if kept:
            alternatives.append(
                DiagnosisOption(
                    summary="Or keep every lock and change these limits and rules: "
                    + "; ".join(c.message for c in kept)
                    + ".",
                    changes=kept,
                )
            )
    if changes:
        message = "No plan satisfies every rule. " + sentence(changes)
        if alternatives:
            message += (
                " Or keep every lock and "
                + "; ".join(c.message for c in alternatives[0].changes)
                + "."
            )
    else:
        message = "No plan satisfies every rule, and no change of locks or limits was found."
    return Diagnosis(message=message, changes=changes, alternatives=alternatives)


def blocking_rules(elastic: Elastic, cols: np.ndarray, time_limit_s: float) -> list[RuleRef]:
    """The rules that keep the pair `cols` out of every plan: what an elastic solve with the
    pair forced in must loosen (limits, keeping the locks) or release (locks, keeping the
    limits). Empty when neither alone is enough."""
    inst = elastic.inst
    elastic.force(cols)
    try:
        out: list[RuleRef] = []
        keep = elastic.solve(release_locks=False, loosen_rules=True, time_limit_s=time_limit_s)
        if keep is not None:
            out += [
                RuleRef(rule=c.target, message=c.message.replace("add ", "it needs ", 1))
                for c in limit_changes(inst, keep[1], keep[2])
            ]
        release = elastic.solve(release_locks=True, loosen_rules=False, time_limit_s=time_limit_s)
        if release is not None:
            out += [
                RuleRef(rule=f"lock:{k}", message=f"{lock_label(inst, k)} conflicts with it")
                for k in sorted(release[0])
            ]
        if out:
            return out
        structure = elastic.solve(
            release_locks=True,
            loosen_rules=True,
            loosen_structure=True,
            time_limit_s=time_limit_s,
        )
        if structure is not None:
            rules = sorted({s.key for s, _ in structure[1] if s in elastic.structural})
            out += [RuleRef(rule=rule, message=structural_words(rule)) for rule in rules]
        return out
    finally:
        elastic.force(None)
