"""What a solver run is asked for and what it reports, shared by every solver interface."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

import numpy as np

Status = Literal["optimal", "feasible", "infeasible", "error", "stale"]


@dataclass(frozen=True)
class SolveOptions:
    solver: Literal["highs", "cbc"] = "highs"
    time_limit_s: float = 60.0
    mip_gap: float = 0.001
    threads: int | None = None
    cancel: threading.Event | None = None


@dataclass(frozen=True)
class SolveOutcome:
    status: Status
    values: np.ndarray | None  # per column of `Model.columns`
    objective: float | None
    bound: float | None
    gap: float | None
    message: str = ""


def relative_gap(objective: float, bound: float) -> float:
    if abs(bound - objective) <= 1e-9:
        return 0.0
    return abs(bound - objective) / max(abs(objective), 1e-10)


def stopped_message(reason: str, gap: float | None) -> str:
    """What a plan that is not proven within the gap says about itself."""
    found = "no bound yet, so the gap is unknown" if gap is None else f"gap {gap:.4%}"
    return f"{reason}; best plan found, {found}"
