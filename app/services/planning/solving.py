"""Use case: solve one inline scenario within the server's size and time limits. No database
here: `onderbouwd solve` runs it without loading the database layer (the organisation's
limits, which need the database, are `app.services.planning.limits`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.config import Settings
from app.core.errors import ProblemTooLarge
from app.optimizer import RunLimits, solve_guarded
from app.optimizer.explain import ExplainLevel, ExplainOptions
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import Scenario, check_scenario


def problem_size(scenario: Scenario) -> tuple[int, str]:
    """Neighbourhoods × interventions × years (at least 1 intervention), and the product
    written out."""
    n, i, t = len(scenario.neighbourhoods), max(1, len(scenario.interventions)), (
        scenario.horizon_years
    )
    return n * i * t, f"{n:,} × {i:,} × {t:,}"


def check_problem_size(scenario: Scenario, limit: int) -> None:
    size, shape = problem_size(scenario)
    if size > limit:
        raise ProblemTooLarge(size, limit, shape)


def check_document_size(document: Any, limit: int) -> None:
    """The same for a stored (already validated) document, without validating it again."""
    def count(key: str) -> int:
        value = document.get(key) if isinstance(document, dict) else None
        return len(value) if isinstance(value, list) else 0

    years = document.get("horizon_years", 1) if isinstance(document, dict) else 1
    n, i, t = count("neighbourhoods"), max(1, count("interventions")), int(years or 1)
    if n * i * t > limit:
        raise ProblemTooLarge(n * i * t, limit, f"{n:,} × {i:,} × {t:,}")


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
    scenario is solved in a child process that is stopped if it overruns that limit (then the
    answer is status "error"), so the limit holds even when the solver does not stop.
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
