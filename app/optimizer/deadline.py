"""One wall-clock deadline for a whole answer, and the shares of it that each part may use.

A solve is made once per answer (`Deadline.start(limit)`) and handed down: every stage, the
warnings and the explanation ask it what is left (`remaining`), cut a share of it for a part
(`share`, `until`), and stop when it has `expired` (or the client cancelled). A share never
reaches past the deadline it was cut from, so no part can make the answer late on its own.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    started: float  # time.monotonic() when the answer began
    limit_s: float  # seconds from `started`
    cancel: threading.Event | None = None

    @classmethod
    def start(cls, limit_s: float, cancel: threading.Event | None = None) -> Deadline:
        return cls(time.monotonic(), max(0.0, float(limit_s)), cancel)

    @property
    def at(self) -> float:
        """The deadline on `time.monotonic()`'s clock."""
        return self.started + self.limit_s

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        """Seconds left, never below 0."""
        return max(0.0, self.at - time.monotonic())

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def expired(self) -> bool:
        """Past the deadline, or cancelled by the client."""
        return self.cancelled() or time.monotonic() >= self.at

    def share(
        self, fraction: float, *, of_left: float = 0.0, at_most_s: float | None = None
    ) -> Deadline:
        """A part's deadline from now: `fraction` of this deadline's whole limit, or
        `of_left` of what is left when that is more, at most `at_most_s` seconds, and never
        past this deadline."""
        seconds = max(fraction * self.limit_s, of_left * self.remaining())
        if at_most_s is not None:
            seconds = min(seconds, at_most_s)
        return self.until(time.monotonic() + seconds)

    def seconds(self, seconds: float) -> Deadline:
        """A part's deadline `seconds` from now, never past this deadline."""
        return self.until(time.monotonic() + seconds)

    def until(self, at: float) -> Deadline:
        """A part's deadline at `at` (monotonic clock), never past this deadline."""
        now = time.monotonic()
        return Deadline(now, max(0.0, min(at, self.at) - now), self.cancel)

    def before(self, reserve_s: float) -> Deadline:
        """This deadline less `reserve_s` seconds held back for what comes after."""
        return self.until(self.at - max(0.0, reserve_s))
