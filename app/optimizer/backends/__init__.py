"""The MIP solvers behind one interface: HiGHS on the model's arrays, CBC through PuLP, in-place
re-solves of a changed model (`Resolver`), and the child process a guarded solve runs in. Every
solve answers with one `SolveOutcome`."""

from app.optimizer.backends.cbc import solve_cbc
from app.optimizer.backends.highs import ArrayHighs
from app.optimizer.backends.outcome import SolveOptions, SolveOutcome, relative_gap
from app.optimizer.backends.resolve import Resolved, Resolver

__all__ = [
    "ArrayHighs",
    "Resolved",
    "Resolver",
    "SolveOptions",
    "SolveOutcome",
    "relative_gap",
    "solve_cbc",
]
