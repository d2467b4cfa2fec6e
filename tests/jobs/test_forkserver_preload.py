"""A solver process starts from what its forkserver loaded: it imports nothing of its own
before the solve, also when the parent is `onderbouwd serve` or `onderbouwd worker`, whose main
module multiprocessing runs again in every child."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.jobs.solver_process import solver_context

ROOT = Path(__file__).resolve().parents[2]
# What the `onderbouwd` console script is: a file that imports the command line, and only
# when it runs starts the server (which starts the solver processes).
PARENT = """
import json
from app.cli.main import app

if __name__ == "__main__":
    from app.jobs.solver_process import solver_context
    from tests.jobs.forkserver_probe import report_new_modules

    context = solver_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=report_new_modules, args=(sender,))
    process.start()
    sender.close()
    print(json.dumps(receiver.recv()))
    process.join()
"""
# Loaded in the child by the start itself: its main module run again, multiprocessing's own
# start-up, and the probe.
EXPECTED = {"__mp_main__", "multiprocessing.popen_fork", "multiprocessing.popen_forkserver",
            "tests", "tests.jobs", "tests.jobs.forkserver_probe"}


def test_a_solver_process_imports_nothing_before_its_solve(tmp_path: Path) -> None:
    if solver_context().get_start_method() != "forkserver":
        pytest.skip("this platform has no forkserver: solver processes are spawned")
    script = tmp_path / "onderbouwd_like.py"
    script.write_text(PARENT, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    loaded_in_the_child = set(json.loads(out.stdout.splitlines()[-1]))
    assert loaded_in_the_child <= EXPECTED, sorted(loaded_in_the_child - EXPECTED)
