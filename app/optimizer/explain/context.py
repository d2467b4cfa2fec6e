"""What every part of the explanation shares (`Context`) and how much explaining to do
(`ExplainOptions`). Its own module so that the parts (next steps, marginal estimates, the
neighbourhood re-solves, the candidate rows) depend on it and not on one another."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.optimizer.backends.resolve import Resolved, Resolver
from app.optimizer.model.build import Model
from app.optimizer.problem.instance import Instance
from app.optimizer.problem.lines import Line, limit_lines
from app.optimizer.problem.value import plan_value
from app.schemas.explanation import RunRef


@dataclass(frozen=True)
class ExplainOptions:
    """How much explaining to do. Steps: `step_fraction` of the line, at least the minimum."""

    step_fraction: float = 0.05
    min_money_step: float = 10_000.0
    min_capacity_step: float = 0.5
    exact_limit: int = 300  # at most this many pairs to re-solve: exact cost_of_forcing
    candidates: tuple[tuple[str, str], ...] = ()  # (intervention, code): always re-solved
    time_limit_s: float | None = None  # for the whole explanation; None: see `budget`
    time_factor: float = 1.0  # by default, explain for this many times the solve's time …
    min_time_s: float = 2.0  # … but at least this long (and never beyond the time limit)

    def budget(self, solve_s: float, time_limit_s: float) -> float:
        """Seconds the explanation may take: what its re-solves share between them."""
        if self.time_limit_s is not None:
            return self.time_limit_s
        return min(time_limit_s, max(self.min_time_s, self.time_factor * solve_s))


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
    _resolvers: dict[str, Resolver] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.chosen = np.rint(self.values[: self.inst.n_candidates]).astype(np.int64)
        self.objective = plan_value(self.inst, self.chosen)
        self.lines = limit_lines(self.inst)

    def resolver(self, name: str) -> Resolver:
        """`milp`, `lp` (the plain LP relaxation) or `fixed` (funded runs fixed at 1)."""
        if name not in self._resolvers:
            r = Resolver(self.model, relaxed=name != "milp", cancel=self.cancel)
            if name == "fixed":
                for c in np.flatnonzero(self.chosen):
                    r.set_col_bounds(int(c), 1.0, 1.0)
            self._resolvers[name] = r
        return self._resolvers[name]

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def out_of_time(self) -> bool:
        return self.remaining() <= 0 or (self.cancel is not None and self.cancel.is_set())

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
