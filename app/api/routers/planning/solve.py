from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.api.deps import DatabaseDep, SettingsDep, ViewerKey
from app.api.json_body import JSONOffTheLoop
from app.api.problems import problem_responses
from app.optimizer.explain import ExplainLevel
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import Scenario
from app.services.planning.limits import solve_counted

router = APIRouter(
    prefix="/api/v1", tags=["solve"],
    route_class=JSONOffTheLoop,
)


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
        Literal["true", "false", "standard", "full"],
        Query(
            description="`false`: the plan only, without the explanation (faster). `true` or "
            "`standard` (the default): the explanation within about a quarter of the solve's "
            "time, costs of forcing as LP estimates unless named in `explain_candidates`. "
            "`full`: every unfunded pair's cost of forcing re-solved exactly (slower). The "
            "answer's `explanation.level` and `explanation.on_request` say which was given "
            "and what more is offered.",
        ),
    ] = "true",
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
    level: ExplainLevel = "full" if explain == "full" else "standard"
    return solve_counted(
        database, principal, scenario, settings, explain != "false", named, level
    )
