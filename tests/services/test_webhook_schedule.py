"""The retry schedule: exponential with jitter, never beyond the window, then given up."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.services.webhooks.schedule import next_attempt_at, retry_delay_s

START = datetime(2027, 1, 1, tzinfo=UTC)
DAY = timedelta(hours=24)


@given(attempts=st.integers(1, 40), first=st.floats(0.01, 600), seed=st.integers(0, 2**32))
def test_each_delay_is_within_twenty_percent_of_the_capped_exponential(
    attempts: int, first: float, seed: int
) -> None:
    expected = min(first * 3 ** (attempts - 1), 6 * 3600)  # by hand: ×3 each time, 6 h at most
    delay = retry_delay_s(attempts, first, random.Random(seed))
    assert 0.8 * expected - 1e-9 <= delay <= 1.2 * expected + 1e-9


@given(seed=st.integers(0, 2**32), first=st.floats(1, 120))
def test_attempts_stop_at_the_window_and_the_last_falls_on_it(seed: int, first: float) -> None:
    rng = random.Random(seed)
    give_up = START + DAY
    now, times = START, [START]
    while (later := next_attempt_at(len(times), now, give_up, first, rng)) is not None:
        assert now < later <= give_up
        times.append(later)
        now = later
    assert times[-1] == give_up
    assert 6 <= len(times) <= 40


def test_the_default_schedule_by_hand() -> None:
    """Without jitter (a generator whose uniform() is the midpoint) the defaults give the
    documented times: 30 s, 90 s, 270 s, … capped at 6 h, the last one at 24 h."""

    class Midpoint(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return (a + b) / 2

    give_up, now, times = START + DAY, START, []
    while (later := next_attempt_at(len(times) + 1, now, give_up, 30, Midpoint())) is not None:
        times.append((later - START).total_seconds())
        now = later
    delays = [30, 90, 270, 810, 2430, 7290, 21600, 21600, 21600]
    expected = [sum(delays[: k + 1]) for k in range(len(delays))] + [86400]
    assert times == expected
