"""Two searches side by side, one finding plans and one lowering the bound, and when they stop.

A plan worth v is proven within the gap g by any bound B ≤ v·(1 + g). Each search reports to a
`Race` from its own thread as it goes; the moment what they have found together proves a plan,
`stop` is set, and both, given it as their cancellation, end at their next check. HiGHS lets go
of Python's lock while it runs, so the two truly run at once, each on a core.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from app.optimizer.backends.outcome import relative_gap


class EitherEvent(threading.Event):
    """Set when set itself or when `other` (the client's cancellation) is: what a search that
    must end on either checks."""

    def __init__(self, other: threading.Event | None):
        super().__init__()
        self.other = other

    def is_set(self) -> bool:
        return super().is_set() or (self.other is not None and self.other.is_set())


class Race:
    def __init__(self, costs: np.ndarray, mip_gap: float, cancel: threading.Event | None):
        self.costs = costs
        self.mip_gap = mip_gap
        self.stop = EitherEvent(cancel)
        self._lock = threading.Lock()
        self.plan: np.ndarray | None = None
        self.value = -np.inf
        self.bound = np.inf

    def offer_plan(self, plan: np.ndarray | None) -> None:
        """A plan meeting every rule (a full column vector), kept when it is the best yet."""
        if plan is None:
            return
        value = float(self.costs @ plan)
        with self._lock:
            if value > self.value:
                self.plan, self.value = np.array(plan, dtype=float), value
            self._check()

    def offer_bound(self, bound: float) -> None:
        """A bound on every plan, kept when it is the lowest yet."""
        with self._lock:
            self.bound = min(self.bound, float(bound))
            self._check()

    @property
    def proven(self) -> bool:
        with self._lock:
            return self._proves()

    def _proves(self) -> bool:
        if not np.isfinite(self.value) or not np.isfinite(self.bound):
            return False
        return relative_gap(self.value, max(self.bound, self.value)) <= self.mip_gap

    def _check(self) -> None:
        if self._proves():
            threading.Event.set(self.stop)


Result = TypeVar("Result")


def side_by_side(
    race: Race,
    main: Callable[[threading.Event], Result],
    side: Callable[[threading.Event], object],
) -> Result:
    """`main` in this thread and `side` in a second one, each given the event that tells it to
    stop: once the race is decided (or the client cancels), and for `side` also once `main` is
    done. A failure in either is raised here."""
    side_ends = EitherEvent(race.stop)
    failures: list[BaseException] = []

    def run_side() -> None:
        try:
            side(side_ends)
        except BaseException as failure:  # noqa: BLE001 (raised again in this thread)
            failures.append(failure)

    thread = threading.Thread(target=run_side, name="onderbouwd-side", daemon=True)
    thread.start()
    try:
        result = main(race.stop)
    finally:
        side_ends.set()
        thread.join()
    if failures:
        raise failures[0]
    return result
