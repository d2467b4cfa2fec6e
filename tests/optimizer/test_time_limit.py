"""The time limit bounds the whole answer, also on a busy machine.

Random scenarios (the project's generator, fixed seeds) far too large for their limit are
solved while the test itself keeps every core busy (one spinning process per core). The solve
must stop working at its limit: the processor time it spends after the deadline (stopping
HiGHS, reading the plan back) is at most `AFTER_DEADLINE_CPU_S`. That is what the solve
controls; how much later the answer arrives on the wall clock also depends on how many other
processes share the cores (in the test suite: the spinners and the other test workers), so the
wall clock is held only to a bound no starved-but-stopped solve comes near, and that any
re-solve after the limit (the fault this guards against: 37 s for a 10 s limit) breaks.

Each answer is either a plan that keeps every rule and is worth what the independent reference
evaluator says, or an explicit "no plan" (status `error`, nothing funded); a gap is never
absurd: a plan worth nothing is no plan, so a gap is always over a positive value.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from app.optimizer import RunLimits, solve
from app.optimizer.tuning import TUNING
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import parse_scenario
from benchmarks.gen_mutated import mutated_scenario
from examples.generate_random import random_scenario
from tests.optimizer.highs_alone import whole_model_optimum
from tests.reference.evaluate import plan_value, plan_violations

# The work a solve may do after its deadline: HiGHS checks its interrupt between iterations,
# and reading the plan back (allocations, spend, improvements) follows the last stage. Quiet,
# at these sizes, it is 0.1-0.3 s.
AFTER_DEADLINE_CPU_S = 1.0
# HiGHS's set-up of a MIP over a whole model of 250 buurten, before it first looks at the
# clock (`test_an_infeasible_scenarios_diagnosis_keeps_to_the_limit`).
HIGHS_SETUP_CPU_S = 2.0
# On the wall clock: the limit, then that work on a machine that gives this process a third of
# a core or more.
WALL_GRACE_S = 3 * AFTER_DEADLINE_CPU_S + 1.0


def processor_time_after(seconds: float) -> Callable[[], float]:
    """Start now; the processor time this process (all its threads) spends after `seconds`
    have passed on the wall clock, read when the returned function is called."""
    at_deadline: list[float] = []
    timer = threading.Timer(seconds, lambda: at_deadline.append(time.process_time()))
    timer.start()

    def spent() -> float:
        timer.join()
        return time.process_time() - at_deadline[0]

    return spent


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


@pytest.mark.parametrize(
    ("neighbourhoods", "seed", "time_limit", "explain"),
    [(300, 11, 1.0, False), (300, 12, 2.5, True), (120, 13, 1.0, True), (120, 14, 2.5, False)],
)
def test_the_answer_comes_within_the_limit_under_load(
    neighbourhoods: int, seed: int, time_limit: float, explain: bool
) -> None:
    doc = random_scenario(neighbourhoods, 40, 3, seed=seed)
    doc["solver"] = {"name": "highs", "mip_gap": 0.0, "time_limit_s": time_limit}
    scenario = parse_scenario(doc)
    with busy_machine():
        began = time.monotonic()
        after_deadline = processor_time_after(time_limit)
        rec = solve(scenario, RunLimits(explain=explain))
        took = time.monotonic() - began
        worked_late = after_deadline()
    stages = [(s.name, s.seconds) for s in rec.solver.stages]
    assert worked_late <= AFTER_DEADLINE_CPU_S, (worked_late, took, stages)
    assert took <= time_limit + WALL_GRACE_S, (took, worked_late, stages)
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


def mutated_within_limit(
    seed: int, time_limit: float, bar: float = AFTER_DEADLINE_CPU_S
) -> tuple[dict, Recommendation]:
    """Mutated scenario `seed` solved at `time_limit` (explanation on), with the processor
    time spent after the deadline checked against `bar`."""
    doc, _ = mutated_scenario(seed)
    doc["solver"] = {"name": "highs", "mip_gap": 0.001, "time_limit_s": time_limit}
    after_deadline = processor_time_after(time_limit)
    rec = solve(parse_scenario(doc), RunLimits(in_child_process=False))
    worked_late = after_deadline()
    stages = [(s.name, s.seconds) for s in rec.solver.stages]
    assert worked_late <= bar, (worked_late, stages)
    return doc, rec


def assert_a_valid_plan(doc: dict, rec: Recommendation) -> None:
    """A plan that keeps every rule and is worth what the answer says (reference evaluator)."""
    assert rec.status in ("optimal", "feasible"), rec.message
    plan = [
        (a.intervention, a.neighbourhood, a.start_year - doc["start_year"]) for a in rec.allocations
    ]
    assert plan_violations(doc, plan) == []
    assert rec.objective == pytest.approx(plan_value(doc, plan), rel=1e-6, abs=1e-6)


def test_an_infeasible_scenarios_diagnosis_keeps_to_the_limit() -> None:
    """Mutated scenario 253 (250 buurten x 70 interventions x 5 years, a fifth of the budget,
    locks): no plan keeps every rule, so the answer is a diagnosis, made of elastic MIPs over
    the whole model. The first of them once ran HiGHS's presolve, which looked at the clock
    only after 7.9 s: on a 5 s limit the answer came after 8 to 9.6 s. Without presolve HiGHS
    still sets the elastic model up, and runs its feasibility jump, before it first looks at
    the clock: on a slower machine (8 December) that ran 1.0-1.6 s of processor time past the
    answer's limit, hence a bar of its own."""
    _, rec = mutated_within_limit(253, 3.0, bar=HIGHS_SETUP_CPU_S)
    assert rec.status == "infeasible"
    assert rec.diagnosis is not None
    assert rec.allocations == []


def test_the_warnings_of_an_empty_plan_keep_to_the_limit() -> None:
    """Mutated scenario 84 (400 buurten x 40 interventions x 1 year): the linear shares leave
    only the empty plan, and its warnings re-solve the whole model with each rule released.
    With the neighbourhood share released, presolve's enumeration ran 7 s before it looked at
    the clock: on a 6 s limit the answer came after 8.5-11 s, 2.4-4.5 s of processor time past
    the deadline. The answer is the empty plan, and a fresh solve of the whole model by HiGHS
    alone (its default presolve) finds nothing better."""
    doc, rec = mutated_within_limit(84, 6.0)
    assert rec.status == "optimal"
    assert rec.allocations == []
    assert rec.objective == 0.0
    assert abs(whole_model_optimum(doc)) <= 1e-6


def test_dropping_idle_runs_keeps_to_the_limit() -> None:
    """Mutated scenario 407 (400 buurten x 3 interventions x 3 years, missing scores): the
    full MIP's plan at the limit funds hundreds of runs that add nothing, and each check of
    one re-reads the whole plan (about 10 ms). The checks once ran to the end, past the
    deadline: on a 3 s limit the answer came after 4.6 s."""
    doc, rec = mutated_within_limit(407, 3.0)
    assert_a_valid_plan(doc, rec)


def test_without_a_plan_the_greedy_may_use_what_follows_a_plan() -> None:
    """Mutated scenario 421 (400 buurten x 70 interventions x 8 years, as generated, 99,555
    candidates): its relaxation takes some 20 s and runs out its share, so at a 12 s limit the
    stages end without a plan, and the greedy after them (which needs 3.1-3.4 s on one
    machine, 5 s on another) gets what is left. It was cut at the solve's own deadline (the
    limit less the explanation's reserve), leaving "no plan" with that reserve unused; with no
    plan there is nothing to explain, so it may run on toward the answer's deadline. Whether
    it ends in time depends on the machine: the answer is its plan, every rule checked, or
    says that there is none."""
    doc, rec = mutated_within_limit(421, 12.0)
    stages = rec.solver.stages
    assert stages[1].name == "relaxation"
    assert stages[1].timed_out
    greedy = max(k for k, stage in enumerate(stages) if stage.name == "greedy")
    began = sum(stage.seconds for stage in stages[:greedy])
    allotted = stages[greedy].allotted_s
    assert allotted is not None
    # Given time past the solve's own deadline, and not past the answer's less the reading
    # back of its plan (at least the build again: `Tuning.read_back_builds`).
    solve_deadline = 12.0 * (1.0 - TUNING.explain_reserve)
    shown = [(s.name, s.seconds, s.allotted_s) for s in stages]
    assert began + allotted > solve_deadline + 0.5, shown
    assert began + allotted <= 12.0 - rec.solver.timings.build_s, shown
    if rec.status == "error":
        assert rec.message.startswith("no plan"), rec.message
    else:
        assert_a_valid_plan(doc, rec)
