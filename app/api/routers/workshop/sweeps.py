from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.api.deps import (
    Cursor,
    IdempotencyKey,
    Limit,
    PlannerKey,
    SessionDep,
    SettingsDep,
    ViewerKey,
)
from app.api.jobs import wake_runner
from app.api.problems import problem_responses
from app.api.transaction_route import TransactionRoute
from app.schemas.common import Page
from app.schemas.workshop import SweepCreate, SweepOut, SweepSummary
from app.services.run_files.workshop import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    frontier_csv,
    frontier_xlsx,
)
from app.services.workshop import sweeps

router = APIRouter(
    route_class=TransactionRoute, prefix="/api/v1", tags=["workshops"],
    responses=problem_responses(401, 403)
)


@router.post(
    "/scenarios/{scenario_id}/sweeps",
    status_code=202,
    response_model=SweepOut,
    responses=problem_responses(404, 409, 422, 429),
    summary="Sweep the corporation's budget: one run per budget, the budget–value frontier",
    description="`budget` is `{\"from\": x, \"to\": y, \"steps\": n}` (n points, ends included) "
    "or `{\"values\": [...]}`: the corporation's total budget (`budget.total`) at each point. "
    "`budget.per_year` scales in proportion unless `scale` is `total_only`. Each point is an "
    "ordinary run (it appears under `/api/v1/runs`), points are solved side by side as far as "
    "the workers allow, each starting from the plan of the nearest point already solved. "
    "The sweep counts as one of the organisation's solves at once. Answers 202 with a "
    "`Location` to poll; `sweep.finished` is sent to webhooks when every point has ended.",
)
def create_sweep(
    scenario_id: uuid.UUID,
    body: SweepCreate,
    request: Request,
    principal: PlannerKey,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    answer = sweeps.create_sweep(session, principal, scenario_id, body, idempotency_key,
                                 settings)
    session.commit()  # before the runner is woken, so that it finds the points
    wake_runner(request)
    headers = {"Location": answer.location} if answer.location else {}
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)


@router.get(
    "/scenarios/{scenario_id}/sweeps",
    response_model=Page[SweepSummary],
    responses=problem_responses(404, 422),
    summary="List a scenario's budget sweeps (newest first)",
    description="Each sweep as the scenario's page lists it: the version, the budgets from–to, "
    "whether its points are explained, points done / total and its state, with links to the "
    "sweep and its frontier (without its points: `GET /api/v1/sweeps/{id}`).",
)
def list_sweeps(
    scenario_id: uuid.UUID,
    principal: ViewerKey,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[SweepSummary]:
    return sweeps.list_sweeps(session, principal, scenario_id, limit=limit, cursor=cursor)


@router.get(
    "/sweeps/{sweep_id}",
    response_model=SweepOut,
    responses=problem_responses(404),
    summary="A sweep: its points in budget order, with what enters and leaves the plan",
)
def get_sweep(sweep_id: uuid.UUID, principal: ViewerKey, session: SessionDep) -> SweepOut:
    return sweeps.get_sweep(session, principal, sweep_id)


@router.post(
    "/sweeps/{sweep_id}/cancel",
    status_code=202,
    response_model=SweepOut,
    responses=problem_responses(404, 409),
    summary="Cancel a sweep (its points not yet solved; those done keep their plans)",
)
def cancel_sweep(sweep_id: uuid.UUID, principal: PlannerKey, session: SessionDep) -> SweepOut:
    return sweeps.cancel_sweep(session, principal, sweep_id)


def _file(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(
    "/sweeps/{sweep_id}/frontier.csv",
    response_class=Response,
    responses={**problem_responses(404), 200: {"description": "The frontier.", "content": {
        "text/csv": {"schema": {"type": "string"}}}}},
    summary="A sweep's frontier as CSV: one row per point",
)
def download_frontier_csv(sweep_id: uuid.UUID, principal: ViewerKey,
                          session: SessionDep) -> Response:
    sweep = sweeps.get_sweep(session, principal, sweep_id)
    return _file(frontier_csv(sweep), CSV_MEDIA_TYPE, f"onderbouwd-sweep-{sweep_id}.csv")


@router.get(
    "/sweeps/{sweep_id}/frontier.xlsx",
    response_class=Response,
    responses={**problem_responses(404), 200: {"description": "The frontier.", "content": {
        XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}},
    summary="A sweep's frontier as XLSX (numbers as numbers, euros formatted)",
)
def download_frontier_xlsx(sweep_id: uuid.UUID, principal: ViewerKey,
                           session: SessionDep) -> Response:
    sweep = sweeps.get_sweep(session, principal, sweep_id)
    return _file(frontier_xlsx(sweep), XLSX_MEDIA_TYPE, f"onderbouwd-sweep-{sweep_id}.xlsx")
