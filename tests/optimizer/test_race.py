"""The race between searches that run side by side: what it keeps, when it stops them, and how
the two threads end."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.optimizer.search.race import EitherEvent, Race, side_by_side

COSTS = np.array([3.0, 5.0, 7.0])

plans = st.lists(st.integers(0, 1), min_size=3, max_size=3).map(
    lambda bits: np.array(bits, dtype=float)
)
offers = st.lists(
    st.one_of(
        st.tuples(st.just("plan"), plans),
        st.tuples(st.just("bound"), st.floats(0.0, 20.0, allow_nan=False)),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(offers, st.sampled_from([0.0, 0.001, 0.1, 0.5]))
def test_keeps_the_best_plan_and_the_lowest_bound_and_stops_once_they_meet_the_gap(
    sequence: list, gap: float
) -> None:
    race = Race(COSTS, gap, None)
    best_value, lowest_bound, stopped_after = -np.inf, np.inf, None
    for step, (kind, offered) in enumerate(sequence):
        if kind == "plan":
            race.offer_plan(offered)
            best_value = max(
                best_value, float(sum(c * x for c, x in zip(COSTS, offered, strict=True)))
            )
        else:
            race.offer_bound(offered)
            lowest_bound = min(lowest_bound, offered)
        # Worked out here by hand: proven once bound − value ≤ gap × |value| (or the bound
        # is below the plan, as a bound that holds for this plan never is but rounding can be).
        met = (
            np.isfinite(best_value)
            and np.isfinite(lowest_bound)
            and (
                lowest_bound - best_value <= 1e-9
                or lowest_bound - best_value <= gap * max(abs(best_value), 1e-10)
            )
        )
        if met and stopped_after is None:
            stopped_after = step
        assert race.proven == met
        assert race.stop.is_set() == (stopped_after is not None)
    assert race.value == best_value
    assert race.bound == lowest_bound
    if np.isfinite(best_value):
        assert race.plan is not None
        assert float(COSTS @ race.plan) == best_value


def test_the_clients_cancellation_stops_every_search() -> None:
    cancel = threading.Event()
    race = Race(COSTS, 0.0, cancel)
    either = EitherEvent(race.stop)
    assert not race.stop.is_set()
    assert not either.is_set()
    cancel.set()
    assert race.stop.is_set()
    assert either.is_set()
    assert not race.proven


def test_the_side_search_ends_when_the_main_one_does() -> None:
    race = Race(COSTS, 0.0, None)
    seen: list[bool] = []

    def side(stop: threading.Event) -> None:
        seen.append(stop.wait(30.0))

    assert side_by_side(race, lambda stop: "done", side) == "done"
    assert seen == [True]
    assert not race.stop.is_set()


def test_a_proof_found_on_one_side_stops_the_other() -> None:
    race = Race(COSTS, 0.0, None)
    waited: list[bool] = []

    def main(stop: threading.Event) -> str:
        waited.append(stop.wait(30.0))
        return "stopped"

    def side(stop: threading.Event) -> None:
        race.offer_plan(np.array([1.0, 1.0, 1.0]))
        race.offer_bound(15.0)

    assert side_by_side(race, main, side) == "stopped"
    assert waited == [True]
    assert race.proven


def test_a_failure_on_the_side_is_raised_in_the_solves_thread() -> None:
    race = Race(COSTS, 0.0, None)

    def side(stop: threading.Event) -> None:
        raise RuntimeError("side failed")

    with pytest.raises(RuntimeError, match="side failed"):
        side_by_side(race, lambda stop: None, side)
