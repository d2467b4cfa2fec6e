"""What a solve did, stage by stage: the one incumbent every stage improves, and the record.

Each stage of a solve (the relaxation, the greedy, the Lagrangian bound, the plan searches, the
full MIP, the explanation…) runs within its share of one `Deadline` and may improve the one
`Incumbent`: a better plan, a lower bound. The `StageLog` keeps, per stage, its name, how long
it took, the plan's value and the bound after it, and whether its time ran out. A stage whose
time ran out ended where the clock stopped it, so its result, and the answer after it, may
differ on another run: the answer then says it is not reproducible. Every record is also a log
line (`logging`, logger `app.optimizer.stages`) carrying the run id when one is given.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from app.optimizer.deadline import Deadline

if TYPE_CHECKING:
    from app.optimizer.search.decomposition import LagrangianBound

logger = logging.getLogger("app.optimizer.stages")


@dataclass
class Incumbent:
    """The best plan so far (a full column vector), its value, and the lowest bound on every
    plan. A plan replaces the incumbent only when worth strictly more: on a tie the earlier
    stage's plan stays (the stages run in a fixed order, so the rule is deterministic)."""

    costs: np.ndarray
    plan: np.ndarray | None = None
    value: float | None = None
    bound: float | None = None

    def offer_plan(self, plan: np.ndarray | None) -> bool:
        """Keep `plan` when it is worth more than the incumbent; whether it was kept."""
        if plan is None:
            return False
        value = float(self.costs @ plan)
        if self.value is not None and value <= self.value:
            return False
        self.plan, self.value = plan, value
        return True

    def offer_bound(self, bound: float | None) -> None:
        if bound is not None and np.isfinite(bound):
            self.bound = bound if self.bound is None else min(self.bound, float(bound))


@dataclass(frozen=True)
class StageRecord:
    name: str
    seconds: float
    objective: float | None  # the incumbent plan's value after the stage (None: no plan yet)
    bound: float | None  # the bound after it (None: none yet)
    timed_out: bool  # its share of the deadline (or the deadline) ran out before it ended
    allotted_s: float | None = None  # what its share of the deadline left it when it began


@dataclass
class StageLog:
    run_id: str | None = None
    records: list[StageRecord] = field(default_factory=list)
    # The Lagrangian bound's neighbourhood plans, kept for the explanation to re-use.
    neighbourhood_plans: LagrangianBound | None = None
    # How long the plain LP relaxation took (its stage also takes a second bound): the unit in
    # which the full MIP's and the explanation's re-solves are measured.
    lp_seconds: float | None = None

    @contextmanager
    def stage(
        self, name: str, part: Deadline, incumbent: Incumbent | None = None
    ) -> Iterator[None]:
        """Run the block as stage `name` within `part`; record it when the block ends."""
        began = time.monotonic()
        allotted = part.remaining()
        try:
            yield
        finally:
            self.add(
                name,
                time.monotonic() - began,
                None if incumbent is None else incumbent.value,
                None if incumbent is None else incumbent.bound,
                part.expired() and not part.cancelled(),
                allotted,
            )

    def seconds(self, name: str) -> float | None:
        """How long the first stage called `name` took (None when it did not run)."""
        return next((r.seconds for r in self.records if r.name == name), None)

    def add(
        self,
        name: str,
        seconds: float,
        objective: float | None,
        bound: float | None,
        timed_out: bool = False,
        allotted_s: float | None = None,
    ) -> None:
        record = StageRecord(name, seconds, objective, bound, timed_out, allotted_s)
        self.records.append(record)
        logger.info(
            "stage %s: %.3f s, objective %s, bound %s%s",
            name,
            seconds,
            objective,
            bound,
            " (time ran out)" if timed_out else "",
            extra={
                "run_id": self.run_id,
                "stage": name,
                "seconds": round(seconds, 4),
                "objective": objective,
                "bound": bound,
                "timed_out": timed_out,
                "allotted_s": None if allotted_s is None else round(allotted_s, 4),
            },
        )

    # Parts inside a stage whose solves the clock ended (e.g. the explanation's next steps).
    parts_timed_out: list[str] = field(default_factory=list)

    def note_timed_out(self, parts: set[str]) -> None:
        """Adds the parts (of stages) the clock ended that are not noted yet."""
        self.parts_timed_out += sorted(parts - set(self.parts_timed_out))

    @property
    def timed_out(self) -> list[str]:
        """The stages (and parts of stages) whose time ran out."""
        return [r.name for r in self.records if r.timed_out] + self.parts_timed_out
