"""What the forkserver of the solver processes loads last, after the modules its parent's main
module imports (`app.jobs.solver_process.solver_context`): the solver process's own code."""

from __future__ import annotations

import sys

import app.jobs.worker  # noqa: F401  (the solver process's code, loaded once here)

# What the forkserver holds; a solver process that loads anything beyond it (its parent's main
# module aside) pays for it in every run (`tests/jobs/test_forkserver_preload.py`).
PRELOADED = frozenset(sys.modules)
