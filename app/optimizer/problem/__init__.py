"""The question, compiled: the scenario's candidates and rules as arrays (`Instance`), what a plan
is worth (DESIGN §3), its money and capacity lines, the rules a plan must keep, and the figures
of a plan as the answer reports them. Nothing here knows of a model or a solver."""

from app.optimizer.problem.instance import Instance, compile_instance
from app.optimizer.problem.lines import MONEY_SCALE, Line, limit_lines
from app.optimizer.problem.result import allocations, improvements, spend
from app.optimizer.problem.rules import RuleChecker, broken_rules
from app.optimizer.problem.value import plan_value

__all__ = [
    "MONEY_SCALE",
    "Instance",
    "Line",
    "RuleChecker",
    "allocations",
    "broken_rules",
    "compile_instance",
    "improvements",
    "limit_lines",
    "plan_value",
    "spend",
]
