"""The staged solve (`solve_model`): the LP relaxation, a greedy first plan, the Lagrangian bound
over the neighbourhood blocks, the master plan and the plan searches, the exchanges, fixings, and
the full MIP, each improving one incumbent; and the clean-up of idle runs afterwards."""

from app.optimizer.search.decomposition import LagrangianBound, lagrangian_bound
from app.optimizer.search.idle_runs import completed_plan, without_idle_runs
from app.optimizer.search.lp_guided import Relaxation, relax
from app.optimizer.search.solvers import solve_model, solver_version
from app.optimizer.search.warm_start import greedy_plan

__all__ = [
    "LagrangianBound",
    "Relaxation",
    "completed_plan",
    "greedy_plan",
    "lagrangian_bound",
    "relax",
    "solve_model",
    "solver_version",
    "without_idle_runs",
]
