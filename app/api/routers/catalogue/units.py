"""Rentable units (VHE) with per-unit measurements, and what they add up to per buurt."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.api.deps import Cursor, Limit, PlannerKey, SessionDep, ViewerKey
from app.api.etag import IfMatch, etag_responses, with_etag
from app.api.json_body import JSONOffTheLoop
from app.api.problems import problem_responses
from app.schemas.common import Page
from app.schemas.units import (
    HomesDerived,
    HomesFromUnits,
    UnitAggregates,
    UnitMeasurementsWrite,
    UnitOut,
    UnitSummary,
    UnitWrite,
    WriteCounts,
)
from app.services.catalogue import units

router = APIRouter(
    prefix="/api/v1/units", tags=["units"], responses=problem_responses(401, 403),
    route_class=JSONOffTheLoop,
)

Vhe = Annotated[
    str, Path(min_length=1, max_length=200, description="The unit's id in your system (VHE).")
]


@router.post(
    "/measurements",
    response_model=WriteCounts,
    responses=problem_responses(422),
    summary="Store measurements of units, many at once",
    description="Upserts by (unit, indicator, year), all or nothing; every unit must exist and "
    "every indicator must have a `unit_aggregation`. Up to 10,000 per request; more through "
    "`POST /api/v1/imports?kind=unit_measurements`.",
)
def put_unit_measurements(
    body: UnitMeasurementsWrite, principal: PlannerKey, session: SessionDep
) -> WriteCounts:
    return units.put_measurements(session, principal, body)


@router.get(
    "/aggregates",
    response_model=UnitAggregates,
    summary="Buurt values made from the units' measurements",
    description="Per buurt, indicator and year, the value the normalisation reads (see the "
    "indicator's `unit_aggregation`), with the units counted and measured.",
)
def get_unit_aggregates(
    principal: ViewerKey,
    session: SessionDep,
    neighbourhood: str | None = None,
    indicator: str | None = None,
) -> UnitAggregates:
    return units.get_aggregates(session, principal, neighbourhood=neighbourhood,
                                indicator=indicator)


@router.post(
    "/derive-homes",
    response_model=HomesDerived,
    responses=problem_responses(422),
    summary="Set buurten's homes and regulated homes to their units",
    description="`homes` becomes the number of the buurt's units and `regulated_homes` the "
    "number of its regulated (DAEB) units, for the listed buurten or every buurt with units. "
    "Run it again after the units change; each change is in the audit log.",
)
def derive_homes_from_units(
    principal: PlannerKey, session: SessionDep, body: HomesFromUnits | None = None
) -> HomesDerived:
    return units.derive_homes(session, principal, body or HomesFromUnits())


@router.put(
    "/{vhe}",
    response_model=UnitOut,
    responses={**problem_responses(412, 422), **etag_responses(200, 201)},
    summary="Create or replace a rentable unit",
    description="Idempotent upsert by VHE id: 201 when created, 200 otherwise. Its buurt must "
    "be in the catalogue. Its measurements stay as they are.",
)
def put_unit(
    vhe: Vhe,
    body: UnitWrite,
    principal: PlannerKey,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> UnitOut:
    out, created = units.put_unit(session, principal, vhe, body, if_match)
    response.status_code = 201 if created else 200
    with_etag(response, out)
    return out


@router.get(
    "/{vhe}",
    response_model=UnitOut,
    responses={**problem_responses(404), **etag_responses(200)},
    summary="A unit with its measurements",
)
def get_unit(vhe: Vhe, principal: ViewerKey, session: SessionDep, response: Response) -> UnitOut:
    out = units.get_unit(session, principal, vhe)
    with_etag(response, out)
    return out


@router.get("", response_model=Page[UnitSummary],
            summary="List units (by VHE id), filtered by buurt or complex")
def list_units(
    principal: ViewerKey,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    neighbourhood: str | None = None,
    complex_id: str | None = None,
) -> Page[UnitSummary]:
    return units.list_units(session, principal, limit=limit, cursor=cursor,
                            neighbourhood=neighbourhood, complex_id=complex_id)
