"""CBC (bundled with PuLP) through PuLP's command-line interface; its bound is read from its log.

PuLP writes the model to a file before CBC starts, and at national scale that alone takes
tens of seconds; CBC's own time limit then counts from its start and is not checked while it
reads the file or solves the root relaxation. So CBC is told the time that is really left when
it starts, and a watchdog kills it if it is still running at the deadline.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pulp

from app.optimizer.backends.outcome import SolveOptions, SolveOutcome, relative_gap
from app.optimizer.model.build import Model

_CBC_RESULT = re.compile(r"Result - (.+)")
_CBC_NUMBER = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
# CBC is asked to stop this share of its time before the deadline: it still has to write its
# solution, and the watchdog kills it at the deadline.
_STOP_EARLY_SHARE = 0.05


class _DeadlineCbc(pulp.PULP_CBC_CMD):  # type: ignore[misc,name-defined]
    def __init__(self, deadline: float, folder: str, **kwargs: object):
        super().__init__(**kwargs)
        self.deadline = deadline
        self.tmpDir = folder  # the watchdog finds CBC by this folder on its command line

    def getOptions(self) -> list[str]:  # noqa: N802 (PuLP's name)
        # PuLP calls this after writing the model file; CBC takes the last `sec` it is given.
        left = self.deadline - time.monotonic()
        return [*super().getOptions(), f"sec {max(0.5, left * (1 - _STOP_EARLY_SHARE)):.2f}"]


class _Watchdog(threading.Thread):
    """From the deadline until stopped, kills CBC whenever it runs: PuLP may still be writing
    the model file at the deadline and start CBC after it."""

    def __init__(self, deadline: float, folder: str):
        super().__init__(daemon=True)
        self.deadline = deadline
        self.folder = folder
        self.done = threading.Event()

    def run(self) -> None:
        if self.done.wait(max(0.0, self.deadline - time.monotonic())):
            return
        while not self.done.is_set():
            _kill_cbc_in(self.folder)
            self.done.wait(0.2)


def _kill_cbc_in(folder: str) -> None:
    """Kill our child processes whose command line names `folder` (Linux: read from /proc)."""
    me = os.getpid()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == me and folder in (entry / "cmdline").read_text(errors="replace"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read


def solve_cbc(
    model: Model, options: SolveOptions, warm_start: np.ndarray | None, deadline: float
) -> SolveOutcome:
    if warm_start is not None:
        for var, value in zip(model.columns, warm_start, strict=True):
            var.setInitialValue(value)
    with tempfile.TemporaryDirectory(prefix="onderbouwd-cbc-") as folder:
        log_path = os.path.join(folder, "cbc.log")
        solver = _DeadlineCbc(
            deadline,
            folder,
            msg=False,
            timeLimit=options.time_limit_s,
            gapRel=options.mip_gap,
            threads=options.threads,
            logPath=log_path,
            warmStart=warm_start is not None,
            keepFiles=False,
            options=["randomCbcSeed 1"],
        )
        watchdog = _Watchdog(deadline, folder)
        watchdog.start()
        try:
            model.problem.solve(solver)
        except pulp.PulpSolverError as failure:
            stopped = "stopped at the time limit" if time.monotonic() >= deadline else None
            # CBC ends without a solution file when it is killed or runs out of memory.
            return SolveOutcome(
                "error", None, None, None, None, stopped or f"CBC failed: {failure}"
            )
        finally:
            watchdog.done.set()
        log = open(log_path, encoding="utf-8", errors="replace").read()
    found = _CBC_RESULT.search(log)
    result = found.group(1).strip() if found else ""
    if model.problem.status == pulp.LpStatusInfeasible or "infeasible" in result.lower():
        return SolveOutcome("infeasible", None, None, None, None, "no plan satisfies every rule")
    if model.problem.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return SolveOutcome(
            "error",
            None,
            None,
            None,
            None,
            f"no plan found (CBC: {result or pulp.LpStatus[model.problem.status]})",
        )
    values = np.array([v.varValue or 0.0 for v in model.columns], dtype=float)
    objective = float(pulp.value(model.problem.objective) or 0.0)
    # CBC prints "Upper bound" when it maximises; a "Lower bound" belongs to the minimisation
    # of the negated objective. A proven optimum within the gap tolerance has one too.
    upper = re.search(r"Upper bound:\s+" + _CBC_NUMBER, log)
    lower = re.search(r"Lower bound:\s+" + _CBC_NUMBER, log)
    bound = float(upper.group(1)) if upper else (-float(lower.group(1)) if lower else None)
    if bound is not None and bound < objective:
        bound = objective
    gap = relative_gap(objective, bound) if bound is not None else None
    if result.startswith("Optimal") or model.problem.sol_status == pulp.LpSolutionOptimal:
        if bound is None:  # proven outright: CBC prints no bound then
            return SolveOutcome("optimal", values, objective, objective, 0.0)
        return SolveOutcome("optimal", values, objective, bound, gap)
    return SolveOutcome(
        "feasible",
        values,
        objective,
        bound,
        gap,
        f"stopped at the time limit ({result}); best plan found",
    )
