"""Use case: solve one inline scenario under the server's limits."""

from __future__ import annotations

from app.core.config import Settings
from app.optimizer import RunLimits, solve
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import Scenario, check_scenario


def solve_inline(scenario: Scenario, settings: Settings, explain: bool = True) -> Recommendation:
    """Check the whole document (raises `ScenarioInvalid`), then solve it.

    A time limit above `settings.max_time_limit_s` is capped, and the answer reports it.
    `explain=False` leaves the explanation out (the plan only).
    """
    check_scenario(scenario)
    return solve(
        scenario, RunLimits(max_time_limit_s=settings.max_time_limit_s, explain=explain)
    )
