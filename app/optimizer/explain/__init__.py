"""Why this plan (DESIGN §4 `explanation`) and the warnings about it. `Context` holds what the
parts share; `explain` puts the parts together."""

from app.optimizer.explain.context import Context, ExplainLevel, ExplainOptions
from app.optimizer.explain.explanation import explain, not_begun
from app.optimizer.explain.next_steps import binding_rules, next_steps
from app.optimizer.explain.plan_warnings import plan_warnings

__all__ = [
    "Context",
    "ExplainLevel",
    "ExplainOptions", "binding_rules", "explain", "next_steps", "not_begun", "plan_warnings"]
