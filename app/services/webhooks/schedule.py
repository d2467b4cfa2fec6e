"""When a failed delivery is tried again: exponential backoff with jitter, within a window.

The Standard Webhooks specification asks for exponential backoff and gives Svix's schedule as
its example (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about 27 h in 8 attempts). Ours starts at
`webhook_first_retry_s` (30 s), triples each time and stops growing at 6 h: with the defaults
the attempts fall near 0, 0.5 min, 2 min, 6.5 min, 20 min, 1 h, 3 h, 9 h, 15 h, 21 h and a last
one at 24 h, after which the delivery is failed. Jitter of ±20 % keeps many receivers that went
down together from being retried in one burst.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

FACTOR = 3.0
LONGEST_DELAY_S = 6 * 3600.0
JITTER = 0.2


def retry_delay_s(attempts_made: int, first_retry_s: float, rng: random.Random) -> float:
    """Seconds to wait after the `attempts_made`-th failed attempt (1, 2, …)."""
    base = min(first_retry_s * FACTOR ** (attempts_made - 1), LONGEST_DELAY_S)
    return base * rng.uniform(1 - JITTER, 1 + JITTER)


def next_attempt_at(
    attempts_made: int,
    now: datetime,
    give_up_at: datetime,
    first_retry_s: float,
    rng: random.Random,
) -> datetime | None:
    """When to try again after a failed attempt, or None when the window is over. The last
    try falls at the end of the window rather than beyond it."""
    if now >= give_up_at:
        return None
    later = now + timedelta(seconds=retry_delay_s(attempts_made, first_retry_s, rng))
    return min(later, give_up_at)
