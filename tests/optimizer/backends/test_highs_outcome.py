"""What is read back from HiGHS after a run it refused."""

from __future__ import annotations

import json
from pathlib import Path

import highspy

from app.optimizer.backends.highs import ArrayHighs
from app.optimizer.backends.outcome import SolveOptions
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.schemas.scenario import parse_scenario

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "design_example.json"


def test_a_refused_run_gives_no_bound() -> None:
    """HiGHS reports a MIP bound of 0 for a run that never started (it refuses one whose
    `threads` differs from its thread pool's): read as a bound, 0 would "prove" any plan worth
    0 or more, and the greedy's plan came back as optimal."""
    model = build_model(compile_instance(parse_scenario(json.loads(EXAMPLE.read_text()))))
    solver = ArrayHighs(model, SolveOptions("highs", 10.0, 0.001), None)
    never_run = highspy.Highs()
    assert never_run.getModelStatus() == highspy.HighsModelStatus.kNotset
    outcome = solver._read_outcome(never_run)
    assert outcome.status == "error"
    assert outcome.bound is None
