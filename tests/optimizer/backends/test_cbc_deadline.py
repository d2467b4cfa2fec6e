"""CBC keeps to the wall-clock limit, and a CBC run that ends without a plan still answers one.

PuLP writes the model to a file before CBC starts and then waits for CBC; CBC checks its own
limit only now and then. The watchdog kills CBC at the deadline, and the greedy's plan is the
answer when CBC has none.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tempfile
import time

import pytest

from app.optimizer.backends import cbc
from app.optimizer.solve import RunLimits, solve
from app.optimizer.tuning import TUNING
from app.schemas.scenario import parse_scenario
from examples.generate_random import random_scenario
from tests.reference.evaluate import plan_value, plan_violations


def test_the_watchdog_kills_what_runs_past_the_deadline_and_nothing_else() -> None:
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as other:
        sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
        ours = subprocess.Popen([*sleep, folder])
        theirs = subprocess.Popen([*sleep, other])
        watchdog = cbc._Watchdog(time.monotonic() + 0.3, folder)
        watchdog.start()
        try:
            assert ours.wait(timeout=30) == -9
            assert theirs.poll() is None, "a process that does not name the folder was killed"
        finally:
            watchdog.done.set()
            theirs.kill()
            theirs.wait()


def test_the_watchdog_started_late_still_kills_a_run_that_starts_after_the_deadline() -> None:
    with tempfile.TemporaryDirectory() as folder:
        watchdog = cbc._Watchdog(time.monotonic(), folder)
        watchdog.start()
        try:
            time.sleep(0.5)  # the deadline has passed before the process starts
            late = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", folder])
            assert late.wait(timeout=30) == -9
        finally:
            watchdog.done.set()


@pytest.mark.slow
def test_cbc_out_of_time_answers_a_plan_that_keeps_every_rule() -> None:
    """At 300 neighbourhoods CBC finds no plan in a few seconds: the answer is the greedy's (in
    the half of the time it is given here), worth what the reference says, breaking no rule,
    and no CBC process is left behind."""
    half = dataclasses.replace(TUNING, cbc_fallback_share=0.5)
    doc = random_scenario(300, 40, 3, seed=1)
    doc["solver"] = {"name": "cbc", "mip_gap": 0.001, "time_limit_s": 12}
    rec = solve(parse_scenario(doc), RunLimits(explain=False, tuning=half))
    assert rec.status == "feasible", rec.message
    assert "greedy" in rec.message
    assert rec.gap is None
    plan = [
        (a.intervention, a.neighbourhood, a.start_year - doc["start_year"]) for a in rec.allocations
    ]
    assert plan
    assert plan_violations(doc, plan) == []
    assert rec.objective == pytest.approx(plan_value(doc, plan), rel=1e-6)
    assert not _cbc_children(), "CBC still runs after the answer"


def _cbc_children() -> list[str]:
    import os
    from pathlib import Path

    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_text(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and "cbc" in command.lower():
            found.append(command)
    return found
