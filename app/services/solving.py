"""Use case: solve one inline scenario under the server's limits."""

from __future__ import annotations

from collections.abc import Callable

from app.core.config import Settings
from app.core.db import Database
from app.core.security import Principal
from app.optimizer import RunLimits, solve_guarded
from app.optimizer.explain import ExplainLevel, ExplainOptions
from app.optimizer.guard import deadline_for
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import Scenario, check_scenario
from app.services.limits import check_problem_size, solve_slot


def solve_counted(
    database: Database,
    principal: Principal,
    scenario: Scenario,
    settings: Settings,
    explain: bool = True,
    explain_candidates: tuple[tuple[str, str], ...] = (),
    explain_level: ExplainLevel = "standard",
) -> Recommendation:
    """`solve_inline`, counted among the organisation's solves at once while it runs (429
    when it has as many as it may). The checks that need no database come first."""
    check_scenario(scenario)
    check_problem_size(scenario, settings.max_problem_size)
    time_limit_s = min(scenario.solver.time_limit_s, settings.max_time_limit_s)
    expires_s = deadline_for(time_limit_s, RunLimits(explain=explain))
    with solve_slot(database, principal.organisation_id, settings.org_max_active_runs, expires_s):
        return solve_inline(scenario, settings, explain, explain_candidates, explain_level)


def solve_inline(
    scenario: Scenario,
    settings: Settings,
    explain: bool = True,
    explain_candidates: tuple[tuple[str, str], ...] = (),
    explain_level: ExplainLevel = "standard",
    *,
    start_plan: tuple[tuple[str, str, int], ...] = (),
    on_plan: Callable[[Recommendation], None] | None = None,
) -> Recommendation:
    """Check the whole document (raises `ScenarioInvalid`), then solve it.

    A time limit above `settings.max_time_limit_s` is capped, and the answer reports it. A
    large scenario is solved in a child process that is stopped if it overruns that limit (then
    the answer is status "error"), so the limit holds even when the solver does not stop.
    `explain=False` leaves the explanation out (the plan only); `explain_candidates` names
    (intervention, neighbourhood) pairs whose cost of forcing is always re-solved exactly;
    `explain_level` "full" re-solves every pair's (the default "standard" estimates them).
    `start_plan` seeds the search with a previous plan; `on_plan` receives the plan before the
    explanation is made (see `RunLimits`).
    """
    check_scenario(scenario)
    check_problem_size(scenario, settings.max_problem_size)
    limits = RunLimits(
        max_time_limit_s=settings.max_time_limit_s,
        explain=explain,
        explain_options=ExplainOptions(level=explain_level, candidates=explain_candidates),
        start_plan=start_plan,
        on_plan=on_plan,
    )
    return solve_guarded(scenario, limits)
