"""What the forkserver of the solver processes loads before it forks the first one.

Each solver process is forked from the forkserver and, before it runs its solve, runs the
parent's main module again (as `__mp_main__`: multiprocessing does so for every start method
but fork, and Python 3.11's forkserver never preloads `__main__` itself). The parents that start
solver processes are `onderbouwd serve` and `onderbouwd worker`, whose main module imports
`app.cli.main`; loaded here, its imports are already in every child. Without it every run,
sweep point and what-if imported the command line (typer, rich, the commands) before its solve
began; a main module that also imported the database layer cost each child 0.4 s of processor
time, against 0.006 s with everything preloaded (measured on the 2-core machine).
"""

from __future__ import annotations

import sys

import app.cli.main  # noqa: F401  (what the parent's main module imports)
import app.jobs.worker  # noqa: F401  (the solver process's own code)

# What the forkserver holds; a solver process that loads anything beyond it (its parent's main
# module aside) pays for it in every run (`tests/jobs/test_forkserver_preload.py`).
PRELOADED = frozenset(sys.modules)
