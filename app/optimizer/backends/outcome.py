"""What a solver run is asked for and what it reports, shared by every solver interface."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.optimizer.tuning import TUNING, Tuning

Status = Literal["optimal", "feasible", "infeasible", "error", "stale"]


@dataclass(frozen=True)
class SolveOptions:
    solver: Literal["highs", "cbc"] = "highs"
    time_limit_s: float = 60.0
    mip_gap: float = 0.001
    threads: int | None = None
    # HiGHS's random seed in the MIPs over the whole model (the guided and the full MIP): the
    # same seed gives the same path every run; another seed another path, to a plan within the
    # same gap.
    random_seed: int = 0
    cancel: threading.Event | None = None
    tuning: Tuning = TUNING  # every tuned number of the search (`app.optimizer.tuning`)


@dataclass(frozen=True)
class SolveOutcome:
    status: Status
    values: np.ndarray | None  # per column of `Model.columns`
    objective: float | None
    bound: float | None
    gap: float | None
    message: str = ""


# A plan worth no more than this share of the bound (absolute, for a bound below 1) funds
# nothing worth reporting: what a time-out leaves behind is often the empty plan.
NOTHING = 1e-9


def worth_nothing(value: float | None, bound: float | None) -> bool:
    """No plan, or one worth nothing on the bound's scale (the empty plan is worth 0)."""
    return value is None or value <= NOTHING * max(1.0, abs(bound or 0.0))


def relative_gap(objective: float, bound: float) -> float:
    """|bound − objective| / objective; infinite over a plan worth 0 or less that the bound
    does not match (no relative gap can be said of it)."""
    if abs(bound - objective) <= 1e-9:
        return 0.0
    if objective <= 0:
        return math.inf
    return abs(bound - objective) / objective


def stopped_message(reason: str, gap: float | None) -> str:
    """What a plan that is not proven within the gap says about itself."""
    if gap is None:
        found = "no bound yet, so the gap is unknown"
    elif not math.isfinite(gap):
        found = "the plan is worth nothing yet, so no gap can be given"
    else:
        found = f"gap {gap:.4%}"
    return f"{reason}; best plan found, {found}"
