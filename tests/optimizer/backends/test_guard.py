"""A guarded solve: same answer as in-process, stopped at its deadline, cancellable."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.optimizer import RunLimits, guard, solve, solve_guarded
from app.optimizer.explain import ExplainOptions
from app.optimizer.solve import scenario_sha256
from app.optimizer.tuning import TUNING
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import Scenario, parse_scenario
from benchmarks.gen_mutated import mutated_scenario
from examples.generate_random import random_scenario

ROOT = Path(__file__).resolve().parents[3]
ALWAYS = RunLimits()
# A child that overruns is stopped 2 s after its limit (plus explaining) instead of 10 s.
SHORT_GRACE = RunLimits(tuning=dataclasses.replace(TUNING, grace_min_s=2.0))


def _design(**solver: float) -> Scenario:
    document = json.loads((ROOT / "examples" / "design_example.json").read_text("utf-8"))
    document["solver"] = {"name": "highs", "mip_gap": 0, "time_limit_s": 60, **solver}
    return parse_scenario(document)


def _plan(recommendation: Recommendation) -> set[tuple[str, str, int]]:
    return {(a.intervention, a.neighbourhood, a.start_year) for a in recommendation.allocations}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# What the child runs in these tests: module level, so that it can be sent to the child.


def _solve_saying_pid(scenario: Scenario, limits: RunLimits) -> Recommendation:
    recommendation = solve(scenario, limits)
    recommendation.message = str(os.getpid())
    return recommendation


def _sleep_past_deadline(scenario: Scenario, limits: RunLimits) -> Recommendation:
    Path(scenario.name).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(600)
    raise AssertionError("not stopped")


def _fail(scenario: Scenario, limits: RunLimits) -> Recommendation:
    raise RuntimeError("the model could not be read")


def _noisy_solve(scenario: Scenario, limits: RunLimits) -> Recommendation:
    os.write(1, b"solver chatter on stdout\n")
    return solve(scenario, limits)


class TestWhenToGuard:
    def test_every_solve_runs_in_a_child_unless_told_otherwise(self) -> None:
        scenario = _design()  # 3 x 2 x 3 candidates: no size is too small for a child
        answer = solve_guarded(scenario, RunLimits(), _target=_solve_saying_pid)
        assert answer.status == "optimal"
        assert answer.message != str(os.getpid())
        here = RunLimits(in_child_process=False)
        assert solve_guarded(scenario, here, _target=_solve_saying_pid).message == str(os.getpid())

    def test_deadline_is_limit_plus_explaining_plus_grace(self) -> None:
        scenario = _design(time_limit_s=60)
        assert guard.deadline_s(scenario, RunLimits()) == 60 + 60 + 15
        assert guard.deadline_s(scenario, RunLimits(max_time_limit_s=8)) == 8 + 8 + 10
        longer = RunLimits(explain_options=ExplainOptions(time_limit_s=100))
        assert guard.deadline_s(scenario, longer) == 60 + 100 + 15
        assert guard.deadline_s(scenario, RunLimits(explain=False)) == 60 + 60 + 15


class TestGuardedSolve:
    def test_same_value_and_plan_as_in_process(self) -> None:
        scenario = _design()
        guarded = solve_guarded(scenario, ALWAYS)
        direct = solve(scenario)
        assert guarded.status == direct.status == "optimal"
        # DESIGN §3: value 10,737.17, proven.
        assert guarded.objective == pytest.approx(10737.17, abs=0.005)
        assert guarded.gap == 0
        assert guarded.objective == direct.objective
        assert _plan(guarded) == _plan(direct)
        assert guarded.scenario_sha256 == direct.scenario_sha256
        assert guarded.explanation == direct.explanation

    def test_the_plan_comes_ahead_of_its_explanation_from_a_child(self) -> None:
        plans: list[tuple[Recommendation, float]] = []
        limits = dataclasses.replace(
            ALWAYS, on_plan=lambda plan: plans.append((plan, time.monotonic()))
        )
        answer = solve_guarded(_design(), limits)
        done = time.monotonic()
        [(plan, sent)] = plans
        assert sent <= done
        assert plan.explanation is None
        assert answer.explanation is not None
        # DESIGN §3: value 10,737.17, proven; the plan is the answer's.
        assert plan.objective == pytest.approx(10737.17, abs=0.005)
        assert plan.objective == answer.objective
        assert _plan(plan) == _plan(answer)

    def test_the_childs_log_lines_are_written_by_the_parent(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO):
            answer = solve_guarded(_design(), dataclasses.replace(ALWAYS, run_id="run-7"))
        stages = [r for r in caplog.records if r.name == "app.optimizer.stages"]
        # One line per stage of the answer's record, made in the child, each with the run id.
        assert [r.stage for r in stages] == [s.name for s in answer.solver.stages]  # type: ignore[attr-defined]
        assert {r.process for r in stages} - {os.getpid()}
        assert {r.run_id for r in stages} == {"run-7"}  # type: ignore[attr-defined]

    def test_an_overrunning_child_is_killed_at_the_deadline(self, tmp_path: Path) -> None:
        pid_file = tmp_path / "child.pid"
        scenario = _design(time_limit_s=1).model_copy(update={"name": str(pid_file)})
        deadline = guard.deadline_s(scenario, SHORT_GRACE)
        assert deadline == 1 + 1 + 2
        started = time.monotonic()
        answer = solve_guarded(scenario, SHORT_GRACE, _target=_sleep_past_deadline)
        elapsed = time.monotonic() - started
        assert deadline - 0.5 <= elapsed <= deadline + 15  # a busy machine is slow to kill
        assert answer.status == "error"
        assert "did not stop within the time limit of 1 s" in answer.message
        assert "it was stopped" in answer.message
        assert answer.scenario_sha256 == scenario_sha256(scenario)
        assert answer.solver.name == "highs"
        assert answer.solver.time_limit_s == 1
        assert answer.allocations == []
        assert _gone(int(pid_file.read_text(encoding="utf-8")))

    def test_a_highs_loop_that_ignores_its_clock_ends_in_an_answer(self) -> None:
        """A mutated scenario (60 neighbourhoods x 3 interventions x 5 years, an empty optimum)
        whose empty-plan warnings re-solve a model on which HiGHS 1.16's presolve of a sub-MIP
        loops without calling its interrupt: in-process the solve never returned (killed after
        5 minutes). In a child process, an answer comes; whichever it is (a HiGHS that no
        longer loops gives the empty optimum, proven: the bound is 0 already in the
        relaxation), it keeps the contract."""
        doc, _ = mutated_scenario(242)
        doc["solver"]["time_limit_s"] = 2
        scenario = parse_scenario(doc)
        answers: list[Recommendation] = []
        thread = threading.Thread(
            target=lambda: answers.append(solve_guarded(scenario, SHORT_GRACE)), daemon=True
        )
        thread.start()
        thread.join(timeout=120)  # liveness, not speed: the guard's deadline is 2 + 2 + 2 s
        assert answers, "the guarded solve did not return"
        [answer] = answers
        if answer.status == "error":
            assert "did not stop within the time limit of 2 s" in answer.message
            assert answer.allocations == []
        else:
            assert answer.status == "optimal"
            assert answer.objective == 0
            assert answer.allocations == []

    def test_a_cancelled_child_that_does_not_stop_is_killed_after_the_grace(
        self, tmp_path: Path
    ) -> None:
        pid_file = tmp_path / "child.pid"
        scenario = _design(time_limit_s=30).model_copy(update={"name": str(pid_file)})
        cancel = threading.Event()
        timer = threading.Timer(0.5, cancel.set)
        timer.start()
        started = time.monotonic()
        limits = dataclasses.replace(SHORT_GRACE, cancel=cancel)
        answer = solve_guarded(scenario, limits, _target=_sleep_past_deadline)
        elapsed = time.monotonic() - started
        timer.cancel()
        assert answer.status == "error"
        assert "cancelled" in answer.message
        assert elapsed < 30  # the grace after the cancellation, not the time limit
        assert _gone(int(pid_file.read_text(encoding="utf-8")))

    def test_cancelling_stops_the_solver_with_its_best_plan(self) -> None:
        document = random_scenario(300, 40, 3, 1)
        document["solver"] = {"name": "highs", "mip_gap": 0, "time_limit_s": 60}
        scenario = parse_scenario(document)
        cancel = threading.Event()
        timer = threading.Timer(12.0, cancel.set)  # after the first plan is found
        timer.start()
        started = time.monotonic()
        limits = RunLimits(explain=False, cancel=cancel)
        answer = solve_guarded(scenario, limits)
        elapsed = time.monotonic() - started
        timer.cancel()
        assert answer.status in ("feasible", "optimal")
        assert answer.objective is not None
        assert answer.objective > 0
        assert answer.allocations
        assert elapsed < 45  # well before the 60 s limit

    def test_an_exception_in_the_child_is_an_error_answer(self) -> None:
        scenario = _design()
        answer = solve_guarded(scenario, ALWAYS, _target=_fail)
        assert answer.status == "error"
        # The answer names an error id and leaks no internals; the log holds the details.
        assert "internal error" in answer.message
        assert "error id err_" in answer.message
        assert "could not be read" not in answer.message
        assert answer.scenario_sha256 == scenario_sha256(scenario)

    def test_the_childs_stdout_goes_to_stderr(self) -> None:
        code = (
            "import sys\n"
            "from app.optimizer import RunLimits, solve_guarded\n"
            "from tests.optimizer.backends.test_guard import _design, _noisy_solve\n"
            "answer = solve_guarded(_design(), RunLimits(), _target=_noisy_solve)\n"
            "sys.stdout.write(answer.model_dump_json())\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        answer = Recommendation.model_validate_json(done.stdout)
        assert answer.status == "optimal"
        assert "solver chatter" in done.stderr
