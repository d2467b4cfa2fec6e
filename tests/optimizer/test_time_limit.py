"""The time limit bounds the whole answer, also on a busy machine.

Random scenarios (the project's generator, fixed seeds) far too large for their limit are
solved while the test itself keeps every core busy (one spinning process per core). Each answer
must come within the limit plus
`GRACE_S`, and be either a plan that keeps every rule and is worth what the independent
reference evaluator says, or an explicit "no plan" (status `error`, nothing funded); a gap is
never absurd: a plan worth nothing is no plan, so a gap is always over a positive value.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.optimizer import RunLimits, solve
from app.schemas.scenario import parse_scenario
from examples.generate_random import random_scenario
from tests.reference.evaluate import plan_value, plan_violations

# What a solve may overrun its limit by: HiGHS checks its interrupt between iterations, and
# reading the plan back (allocations, spend, improvements) happens after the last stage.
GRACE_S = 1.5


@contextmanager
def busy_machine() -> Iterator[None]:
    """One process spinning on each core for the duration of the block."""
    spinners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 1)
    ]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


# With the explanation the answer overran its limit under load (4-7 s for 1-2.5 s): the
# explanation's and the warnings' shares of the deadline are not all heeded yet.
EXPLAIN_OVERRUNS = pytest.mark.xfail(
    reason="the explanation does not yet keep to its share of the deadline", strict=False)


@pytest.mark.parametrize(
    ("neighbourhoods", "seed", "time_limit", "explain"),
    [(300, 11, 1.0, False),
     pytest.param(300, 12, 2.5, True, marks=EXPLAIN_OVERRUNS),
     pytest.param(120, 13, 1.0, True, marks=EXPLAIN_OVERRUNS),
     (120, 14, 2.5, False)],
)
def test_the_answer_comes_within_the_limit_under_load(
    neighbourhoods: int, seed: int, time_limit: float, explain: bool
) -> None:
    doc = random_scenario(neighbourhoods, 40, 3, seed=seed)
    doc["solver"] = {"name": "highs", "mip_gap": 0.0, "time_limit_s": time_limit}
    scenario = parse_scenario(doc)
    with busy_machine():
        began = time.monotonic()
        rec = solve(scenario, RunLimits(explain=explain))
        took = time.monotonic() - began
    assert took <= time_limit + GRACE_S, (took, [(s.name, s.seconds) for s in rec.solver.stages])
    assert rec.status in ("optimal", "feasible", "error"), rec.message
    if rec.status == "error":
        assert rec.message.startswith("no plan: "), rec.message
        assert rec.allocations == []
        assert rec.objective is None
        assert rec.gap is None
        return
    start = doc["start_year"]
    plan = [(a.intervention, a.neighbourhood, a.start_year - start) for a in rec.allocations]
    assert plan_violations(doc, plan) == []
    assert rec.objective is not None
    assert rec.objective == pytest.approx(plan_value(doc, plan), rel=1e-6, abs=1e-6)
    assert rec.objective > 0  # a plan worth nothing left by a time-out is reported as no plan
    if rec.gap is not None:  # the gap is what plan and bound say: finite, over a positive plan
        assert rec.bound is not None
        assert rec.gap == pytest.approx((rec.bound - rec.objective) / rec.objective, abs=1e-6)


def test_a_time_out_says_so_and_that_another_run_may_differ() -> None:
    """A limit far too short for the scenario: some stage's time ran out, and the answer says
    that it may differ on another run."""
    doc = random_scenario(300, 40, 3, seed=3)
    doc["solver"] = {"name": "highs", "mip_gap": 0.0, "time_limit_s": 1.0}
    rec = solve(parse_scenario(doc), RunLimits(explain=False))
    assert any(stage.timed_out for stage in rec.solver.stages)
    assert rec.solver.reproducible is False
    assert "another run" in rec.solver.reproducible_note
