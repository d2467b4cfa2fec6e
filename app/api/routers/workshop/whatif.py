from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from app.api.deps import DatabaseDep, PlannerKey, SettingsDep
from app.api.jobs import wake_runner
from app.api.problems import problem_responses
from app.api.transaction_route import TransactionRoute
from app.schemas.workshop import WhatIfOut
from app.services.workshop import whatif

router = APIRouter(route_class=TransactionRoute, prefix="/api/v1/runs", tags=["workshops"],
                   responses=problem_responses(401, 403, 404, 409, 415, 422))

_OPERATION = {"type": "object", "required": ["op", "path"], "properties": {
    "op": {"type": "string", "enum": ["add", "remove", "replace", "move", "copy", "test"]},
    "path": {"type": "string"}, "from": {"type": "string"}, "value": {}}}
_PATCH_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    whatif.MERGE_PATCH: {"schema": {"type": "object", "additionalProperties": True},
                         "example": {"budget": {"per_year": [800000, 825000, 700000]}}},
    whatif.JSON_PATCH: {"schema": {"type": "array", "items": _OPERATION},
                        "example": [{"op": "replace", "path": "/budget/total",
                                     "value": 2300000}]},
}}}


@router.post(
    "/{run_id}/whatif",
    response_model=WhatIfOut,
    responses={202: {"model": WhatIfOut, "description": "Still solving: poll `Location`."}},
    openapi_extra=_PATCH_BODY,
    summary="What if: re-solve a run's scenario under a patch, from the run's plan",
    description="The body patches the run's scenario document: an RFC 7396 merge patch "
    f"(`{whatif.MERGE_PATCH}`) or an RFC 6902 JSON Patch (`{whatif.JSON_PATCH}`); plain "
    "`application/json` is read as a JSON Patch when it is an array, else as a merge patch. "
    "The patched document is validated like any scenario (422 naming each path), stored as a "
    "new version of the run's scenario (marked with this run and the patch; the current "
    "version stays), and solved as a new run starting from this run's plan. When its plan is "
    "in within `wait` seconds the answer is 200 with the new run and its comparison against "
    "this one (this one first); otherwise 202 with a `Location` to poll. The explanation "
    "follows the plan (`explanation_state`).",
)
def create_whatif(
    run_id: uuid.UUID,
    patch: Annotated[Any, Body()],
    request: Request,
    principal: PlannerKey,
    database: DatabaseDep,
    settings: SettingsDep,
    wait: Annotated[float, Query(ge=0, le=60, description="Seconds to wait for the plan.")] = 10,
) -> JSONResponse:
    with database.transaction() as session:
        new_run = whatif.start_whatif(session, principal, run_id, patch,
                                      request.headers.get("content-type"), settings)
    wake_runner(request)
    answer = whatif.await_whatif(database, principal, new_run, wait)
    return JSONResponse(answer.body.model_dump(mode="json"), status_code=answer.status_code,
                        headers={"Location": answer.location})
