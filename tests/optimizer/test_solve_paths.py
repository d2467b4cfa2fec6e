"""Every path of the staged HiGHS solve gives the brute-force optimum, not only the one a
small scenario takes by default.

Small scenarios normally skip the guided MIP (it pays only from 10,000 candidates) and keep
HiGHS's presolve (it is switched off from 200,000 columns). Lowering those thresholds sends the
same small scenarios down the other paths, where enumeration still says what the optimum is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings

from app.optimizer import solvers
from tests.optimizer.test_brute_force import PROPERTY_SETTINGS, check_against_brute_force
from tests.strategies import small_scenarios

EXAMPLES = 60


@contextmanager
def thresholds(guided_from: int, large_from: int) -> Iterator[None]:
    saved = solvers.GUIDED_MIN_CANDIDATES, solvers.LARGE_MODEL_COLUMNS
    solvers.GUIDED_MIN_CANDIDATES, solvers.LARGE_MODEL_COLUMNS = guided_from, large_from
    try:
        yield
    finally:
        solvers.GUIDED_MIN_CANDIDATES, solvers.LARGE_MODEL_COLUMNS = saved


@pytest.mark.xdist_group("brute_force")
@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_with_the_guided_mip(doc: dict) -> None:
    with thresholds(guided_from=0, large_from=10**9):
        check_against_brute_force(doc)


@pytest.mark.xdist_group("brute_force")
@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_as_a_large_model(doc: dict) -> None:
    """No guided MIP, and the MIP without presolve, from the relaxation's rounded plan."""
    with thresholds(guided_from=0, large_from=0):
        check_against_brute_force(doc)
