"""What every part of the explanation shares (`Context`) and how much explaining to do
(`ExplainOptions`). Its own module so that the parts (next steps, marginal estimates, the
neighbourhood re-solves, the candidate rows) depend on it and not on one another."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from app.optimizer.backends.resolve import Resolved, Resolver
from app.optimizer.model.build import Model
from app.optimizer.problem.instance import Instance
from app.optimizer.problem.lines import Line, limit_lines
from app.optimizer.problem.value import plan_value
from app.optimizer.tuning import TUNING, Tuning
from app.schemas.explanation import RunRef

ExplainLevel = Literal["standard", "full"]
LEVELS: tuple[ExplainLevel, ...] = ("standard", "full")
# What the full level adds to the standard one, as the answer names it.
ON_REQUEST = (
    "full: every unfunded pair's cost of forcing re-solved exactly (a MILP with the pair "
    "locked in; at most `exact_limit` pairs, the rest estimated), which can take as long as "
    "the solve itself; named pairs (`explain_candidates`) are re-solved at either level"
)


@dataclass(frozen=True)
class ExplainOptions:
    """How much explaining to do.

    `standard` (the default) keeps to a quarter of the solve's time: every line's next step
    (re-solved from the plan and the solve's neighbourhood plans), the marginal estimates, the
    binding rules and a reason for every unfunded pair, whose cost of forcing is the LP
    estimate unless the pair is named. `full` re-solves every pair's cost of forcing exactly
    (up to `exact_limit` pairs) and may take as long as the solve. Steps: `step_fraction` of
    the line, at least the minimum."""

    level: ExplainLevel = "standard"
    step_fraction: float = 0.05
    min_money_step: float = 10_000.0
    min_capacity_step: float = 0.5
    exact_limit: int = 300  # full level: at most this many pairs to re-solve exactly
    candidates: tuple[tuple[str, str], ...] = ()  # (intervention, code): always re-solved
    time_limit_s: float | None = None  # for the whole explanation; None: see `budget`

    def budget(self, solve_s: float, time_limit_s: float, tuning: Tuning = TUNING) -> float:
        """Seconds the explanation may take: what its re-solves share between them."""
        if self.time_limit_s is not None:
            return self.time_limit_s
        factor = tuning.explain_full_factor if self.level == "full" else tuning.explain_factor
        return min(time_limit_s, max(tuning.explain_min_s, factor * solve_s))

    @property
    def exact_candidates(self) -> bool:
        return self.level == "full"


@dataclass
class Context:
    """What every part of the explanation shares: the plan and the reusable solver models."""

    inst: Instance
    model: Model
    values: np.ndarray  # the incumbent, one value per model column
    mip_gap: float
    options: ExplainOptions
    deadline: float
    cancel: threading.Event | None = None
    chosen: np.ndarray = field(init=False)
    objective: float = field(init=False)
    lines: list[Line] = field(init=False)
    notes: list[str] = field(default_factory=list)
    value_cut: int | None = None  # the row value(x) ≥ z + ε, added to the plain LP on first use
    force_row: int | None = None  # the row Σ x(pair) ≥ 1, added to the MILP on first use
    fixed_lp: Resolved | None = None  # the relaxation with funded runs fixed, once solved
    elastic: Any = None  # diagnose.Elastic with the scenario's rules, built on first use
    # The solve's Lagrangian bound (`search.decomposition.LagrangianBound`), when it ran: its
    # neighbourhood plans let a changed line be re-solved in a fraction of a second.
    neighbourhood_plans: Any = None
    tuning: Tuning = TUNING
    # The parts whose solves the clock ended (the answer then says it may differ next time).
    stopped_by_clock: set[str] = field(default_factory=set)
    standalone: np.ndarray | None = None  # each candidate's value alone, once computed
    # What one LP of the whole model took in the solve (its relaxation; None when unknown):
    # the yardstick for whether a re-solve fits in the time left (`affords`).
    lp_seconds: float | None = None
    # The most the empty-plan warnings' figures (each named rule's plan re-solved toward a
    # proof) may take together; None: all that is left.
    figures_s: float | None = None
    _resolvers: dict[str, Resolver] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.chosen = np.rint(self.values[: self.inst.n_candidates]).astype(np.int64)
        self.objective = plan_value(self.inst, self.chosen)
        self.lines = limit_lines(self.inst)

    def resolver(self, name: str) -> Resolver:
        """`milp`, `lp` (the plain LP relaxation) or `fixed` (funded runs fixed at 1)."""
        if name not in self._resolvers:
            r = Resolver(
                self.model, relaxed=name != "milp", cancel=self.cancel, implied=False
            )
            if name == "fixed":
                for c in np.flatnonzero(self.chosen):
                    r.set_col_bounds(int(c), 1.0, 1.0)
            self._resolvers[name] = r
        return self._resolvers[name]

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def out_of_time(self) -> bool:
        return self.remaining() <= 0 or (self.cancel is not None and self.cancel.is_set())

    def affords(self, seconds: float, mip: bool = False) -> bool:
        """Whether `seconds` is enough to start a re-solve of the whole model from scratch: an
        LP's time, or for a MILP without presolve (above `nearby_above` candidates) as many
        LPs as the solve asks of such a MIP (`large_mip_relaxations`). HiGHS looks at the clock
        only between its iterations: at 1,000 neighbourhoods (an LP of 3 s) a next step's LP
        given 0.2 s took 1.4 s and its MILP 1.2 s, and the explanation of a 10 s answer took
        5.5 s where 1.3 s was left. A MILP with presolve runs on a model small enough to leave
        unchecked. Up to `next_step_exact_candidates` a re-solve takes milliseconds and is always
        afforded: there the yardstick is noise, and refusing on a busy machine changed the
        figures from one run to the next (the DESIGN example's next steps, under a loaded
        test run)."""
        small = self.inst.n_candidates <= self.tuning.next_step_exact_candidates
        if self.lp_seconds is None or small:
            return True
        large = self.inst.n_candidates > self.tuning.nearby_above
        needed = self.tuning.large_mip_relaxations if mip and large else 1.0
        return seconds >= needed * self.lp_seconds

    def whole_mip_seconds(self) -> float:
        """The least time worth giving a MILP re-solve of the whole model with presolve: as
        long as the full MIP needs left to start with nothing fixed (`mip_relaxations`
        relaxations), since HiGHS's presolve heeds the clock only between its passes (400
        neighbourhoods, a relaxation of 0.16 s: a re-solve given 1.0 s spent 1.57 s in
        presolve). 0 where `affords` always affords."""
        small = self.inst.n_candidates <= self.tuning.next_step_exact_candidates
        if self.lp_seconds is None or small:
            return 0.0
        return self.tuning.mip_relaxations * self.lp_seconds

    def tolerance(self) -> float:
        """Value differences below this are numerical noise."""
        return 1e-7 * max(1.0, abs(self.objective))

    def run_refs(self, runs: np.ndarray) -> list[RunRef]:
        inst = self.inst
        return [
            RunRef(
                intervention=inst.intervention_keys[int(inst.cand_i[c])],
                neighbourhood=inst.codes[int(inst.cand_n[c])],
                start_year=inst.calendar(int(inst.cand_s[c])),
            )
            for c in runs
        ]

    def step(self, line: Line) -> float:
        minimum = self.options.min_money_step if line.money else self.options.min_capacity_step
        return max(self.options.step_fraction * line.limit, minimum)
