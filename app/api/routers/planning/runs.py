from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.api.deps import Cursor, Limit, PlannerKey, SessionDep, ViewerKey
from app.api.problems import problem_responses
from app.api.transaction_route import TransactionRoute
from app.schemas.common import Page
from app.schemas.stored import RunOut, RunState, RunSummary
from app.services.planning import runs

router = APIRouter(
    route_class=TransactionRoute, prefix="/api/v1/runs", tags=["runs"],
    responses=problem_responses(401, 403)
)


@router.get("", response_model=Page[RunSummary], summary="List runs (oldest first)")
def list_runs(
    principal: ViewerKey,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    scenario_id: uuid.UUID | None = None,
    state: RunState | None = None,
) -> Page[RunSummary]:
    return runs.list_runs(
        session, principal, limit=limit, cursor=cursor, scenario_id=scenario_id, state=state
    )


@router.get(
    "/{run_id}",
    response_model=RunOut,
    responses=problem_responses(404),
    summary="A run: its state, and its recommendation once done",
)
def get_run(run_id: uuid.UUID, principal: ViewerKey, session: SessionDep) -> RunOut:
    return runs.get_run(session, principal, run_id)


@router.post(
    "/{run_id}/cancel",
    status_code=202,
    response_model=RunOut,
    responses=problem_responses(404, 409),
    summary="Cancel a run (a queued one at once, a running one within seconds)",
)
def cancel_run(run_id: uuid.UUID, principal: PlannerKey, session: SessionDep) -> RunOut:
    return runs.cancel_run(session, principal, run_id)
