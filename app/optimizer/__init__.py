"""The optimizer: pure (no web framework, no database), usable from a notebook or the CLI."""

from app.optimizer.guard import solve_guarded
from app.optimizer.solve import RunLimits, scenario_sha256, solve

__all__ = ["RunLimits", "scenario_sha256", "solve", "solve_guarded"]
