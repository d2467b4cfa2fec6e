from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import DatabaseDep, SettingsDep, ViewerKey
from app.api.problems import problem_responses
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import Scenario
from app.services.solving import solve_counted

router = APIRouter(prefix="/api/v1", tags=["solve"])


@router.post(
    "/solve",
    response_model=Recommendation,
    responses=problem_responses(400, 401, 413, 422, 429),
    summary="Solve an inline scenario synchronously",
    description=(
        "Validates the scenario (contract v1: unknown fields, cross-references and list lengths "
        "are refused with a 422 problem naming every offending JSON path) and answers the "
        "recommendation. A valid scenario without a feasible plan answers 200 with status "
        "`infeasible`. A `solver.time_limit_s` above the server maximum is capped to it, and "
        "`solver.time_limit_capped` says so. Any key (viewer or higher); nothing is stored. "
        "Counts among the organisation's solves at once while it runs "
        "(`ONDERBOUWD_ORG_MAX_ACTIVE_RUNS`: 429 over it); a scenario larger than "
        "`ONDERBOUWD_MAX_PROBLEM_SIZE` (neighbourhoods × interventions × years) is a 422."
    ),
)
def solve(
    scenario: Scenario,
    settings: SettingsDep,
    database: DatabaseDep,
    principal: ViewerKey,
    explain: Annotated[
        bool, Query(description="false: the plan only, without the explanation (faster).")
    ] = True,
    explain_candidates: Annotated[
        list[str] | None,
        Query(
            description="`<intervention>:<neighbourhood code>` pairs whose cost of forcing "
            "is re-solved exactly, however many pairs the plan leaves out.",
        ),
    ] = None,
) -> Recommendation:
    # A plain `def`: FastAPI runs it in the thread pool, so the event loop stays free.
    pairs = (pair.partition(":") for pair in explain_candidates or [])
    named = tuple((intervention, code) for intervention, _, code in pairs if code)
    return solve_counted(database, principal, scenario, settings, explain, named)
