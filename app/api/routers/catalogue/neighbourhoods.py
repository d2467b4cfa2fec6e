"""Neighbourhoods with their measurements, staff adjustments and computed domain scores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.api.deps import Cursor, Limit, PlannerKey, SessionDep, ViewerKey
from app.api.etag import IfMatch, etag_responses, upsert_responses, with_etag
from app.api.json_body import JSONOffTheLoop
from app.api.problems import created, problem_responses
from app.schemas.catalogue import (
    AdjustmentOut,
    AdjustmentWrite,
    NeighbourhoodOut,
    NeighbourhoodScoresOut,
    NeighbourhoodSummary,
    NeighbourhoodWrite,
)
from app.schemas.common import Page
from app.services.catalogue import neighbourhoods

router = APIRouter(
    route_class=JSONOffTheLoop,
    prefix="/api/v1/neighbourhoods", tags=["catalogue"], responses=problem_responses(401, 403)
)

Code = Annotated[
    str,
    Path(
        min_length=1, max_length=200, description="The neighbourhood's code, e.g. CBS `BU03440831`."
    ),
]
DomainKey = Annotated[str, Path(min_length=1, max_length=200)]


@router.put(
    "/{code}",
    response_model=NeighbourhoodOut,
    responses={**problem_responses(412, 422), **upsert_responses(NeighbourhoodOut)},
    summary="Create or replace a neighbourhood (and, when given, all its measurements)",
    description="Idempotent upsert by code: 201 when created, 200 otherwise; the same body "
    "again changes nothing and logs nothing. `indicator_values` left out keeps the stored "
    "measurements.",
)
def put_neighbourhood(
    code: Code,
    body: NeighbourhoodWrite,
    principal: PlannerKey,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> NeighbourhoodOut:
    out, created = neighbourhoods.put_neighbourhood(session, principal, code, body, if_match)
    response.status_code = 201 if created else 200
    with_etag(response, out)
    return out


@router.get(
    "/{code}",
    response_model=NeighbourhoodOut,
    responses={**problem_responses(404), **etag_responses(200)},
    summary="A neighbourhood with its measurements and adjustments",
)
def get_neighbourhood(
    code: Code, principal: ViewerKey, session: SessionDep, response: Response
) -> NeighbourhoodOut:
    out = neighbourhoods.get_neighbourhood(session, principal, code)
    with_etag(response, out)
    return out


@router.get(
    "",
    response_model=Page[NeighbourhoodSummary],
    summary="List neighbourhoods (by code), filtered by district or municipality",
)
def list_neighbourhoods(
    principal: ViewerKey,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    district: str | None = None,
    municipality: str | None = None,
) -> Page[NeighbourhoodSummary]:
    return neighbourhoods.list_neighbourhoods(
        session, principal, limit=limit, cursor=cursor, district=district, municipality=municipality
    )


@router.get(
    "/{code}/scores",
    response_model=NeighbourhoodScoresOut,
    responses=problem_responses(404),
    summary="Domain scores computed from the indicators (adjustments included)",
)
def get_scores(code: Code, principal: ViewerKey, session: SessionDep) -> NeighbourhoodScoresOut:
    return neighbourhoods.get_scores(session, principal, code)


@router.put(
    "/{code}/adjustments/{domain}",
    response_model=AdjustmentOut,
    responses={**problem_responses(404, 422), **created(AdjustmentOut)},
    summary="Set a staff adjustment of one domain score, with its rationale",
    description="Staff knowledge the data misses: `delta` is added to the computed score. The "
    "rationale is kept with it and in the audit log.",
)
def put_adjustment(
    code: Code,
    domain: DomainKey,
    body: AdjustmentWrite,
    principal: PlannerKey,
    session: SessionDep,
    response: Response,
) -> AdjustmentOut:
    out, created = neighbourhoods.put_adjustment(session, principal, code, domain, body)
    response.status_code = 201 if created else 200
    return out


@router.delete(
    "/{code}/adjustments/{domain}",
    status_code=204,
    responses=problem_responses(404),
    summary="Remove a staff adjustment",
)
def delete_adjustment(
    code: Code, domain: DomainKey, principal: PlannerKey, session: SessionDep
) -> Response:
    neighbourhoods.delete_adjustment(session, principal, code, domain)
    return Response(status_code=204)
