from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.api.deps import (
    Cursor,
    IdempotencyKey,
    Limit,
    PlannerKey,
    SessionDep,
    SettingsDep,
    VersionPath,
    ViewerKey,
)
from app.api.etag import IfMatch, etag_responses, with_etag
from app.api.json_body import JSONOffTheLoop
from app.api.problems import problem_responses
from app.schemas.common import Page
from app.schemas.stored import (
    RunOut,
    RunStart,
    ScenarioOut,
    ScenarioSummary,
    ScenarioWrite,
    VersionOut,
)
from app.services.interface.idempotency import Answer
from app.services.planning import runs, scenarios

router = APIRouter(
    route_class=JSONOffTheLoop,
    prefix="/api/v1/scenarios", tags=["scenarios"], responses=problem_responses(401, 403)
)


def _answer(answer: Answer, etag: bool = False) -> JSONResponse:
    headers = {"Location": answer.location} if answer.location else {}
    response = JSONResponse(answer.body, status_code=answer.status_code, headers=headers)
    if etag and answer.status_code < 300:
        with_etag(response, answer.body)
    return response


@router.post(
    "",
    status_code=201,
    response_model=ScenarioOut,
    responses={**problem_responses(409, 422), **etag_responses(201)},
    summary="Store a scenario (inline document, or assembled from the catalogue)",
    description="Version 1 of a new scenario. Send `document` (contract v1, the same as "
    "`POST /api/v1/solve` takes) or `catalogue` (neighbourhoods, interventions and domains "
    "chosen from the catalogue, scores computed from the indicators, plus budget and rules). "
    "With an `Idempotency-Key`, a retry answers the same and stores nothing new.",
)
def create_scenario(
    body: ScenarioWrite,
    principal: PlannerKey,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return _answer(scenarios.create_scenario(session, principal, body, idempotency_key), etag=True)


@router.get("", response_model=Page[ScenarioSummary], summary="List scenarios (oldest first)")
def list_scenarios(
    principal: ViewerKey, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[ScenarioSummary]:
    return scenarios.list_scenarios(session, principal, limit=limit, cursor=cursor)


@router.get(
    "/{scenario_id}",
    response_model=ScenarioOut,
    responses={**problem_responses(404), **etag_responses(200)},
    summary="A scenario and the list of its versions",
)
def get_scenario(
    scenario_id: uuid.UUID, principal: ViewerKey, session: SessionDep, response: Response
) -> ScenarioOut:
    out = scenarios.get_scenario(session, principal, scenario_id)
    with_etag(response, out)
    return out


@router.put(
    "/{scenario_id}",
    response_model=ScenarioOut,
    responses={**problem_responses(404, 412, 422), **etag_responses(200)},
    summary="Change a scenario: a new immutable version",
    description="The earlier versions stay as they were, and so do the runs made from them. "
    "Sending the current version's document again creates nothing.",
)
def update_scenario(
    scenario_id: uuid.UUID,
    body: ScenarioWrite,
    principal: PlannerKey,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ScenarioOut:
    out = scenarios.update_scenario(session, principal, scenario_id, body, if_match)
    with_etag(response, out)
    return out


@router.get(
    "/{scenario_id}/versions/{number}",
    response_model=VersionOut,
    responses=problem_responses(404),
    summary="One version, with its document",
)
def get_version(
    scenario_id: uuid.UUID, number: VersionPath, principal: ViewerKey, session: SessionDep
) -> VersionOut:
    return scenarios.get_version(session, principal, scenario_id, number)


@router.post(
    "/{scenario_id}/runs",
    status_code=202,
    response_model=RunOut,
    responses=problem_responses(404, 409, 422, 429),
    summary="Start a run (a solve job) of the scenario's current or a given version",
    description="Answers 202 with the queued run and its `Location`; poll `GET /api/v1/runs/"
    "{id}`. The run solves a snapshot of that version, so it can be reproduced later. With an "
    "`Idempotency-Key`, a retry answers the same run and starts nothing new. Queued and "
    "running runs count among the organisation's solves at once "
    "(`ONDERBOUWD_ORG_MAX_ACTIVE_RUNS`: 429 over it).",
)
def start_run(
    scenario_id: uuid.UUID,
    principal: PlannerKey,
    session: SessionDep,
    settings: SettingsDep,
    body: RunStart | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return _answer(
        runs.start_run(
            session, principal, scenario_id, body or RunStart(), idempotency_key, settings
        )
    )
