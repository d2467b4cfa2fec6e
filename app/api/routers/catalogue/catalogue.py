"""Domains, indicators, interventions and partners: idempotent PUT by external id, GET, lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.api.deps import Cursor, Limit, PlannerKey, SessionDep, ViewerKey
from app.api.etag import IfMatch, etag_responses, upsert_responses, with_etag
from app.api.json_body import JSONOffTheLoop
from app.api.problems import problem_responses
from app.schemas.catalogue import (
    DomainOut,
    DomainWrite,
    IndicatorOut,
    IndicatorWrite,
    InterventionOut,
    InterventionWrite,
    PartnerOut,
    PartnerWrite,
)
from app.schemas.common import Page
from app.services.catalogue import entries as catalogue

router = APIRouter(
    prefix="/api/v1", tags=["catalogue"], responses=problem_responses(401, 403),
    route_class=JSONOffTheLoop,
)

ExternalId = Annotated[
    str, Path(min_length=1, max_length=200, description="The external id (your system's key).")
]
UPSERT = (
    "Idempotent upsert by external id: 201 when created, 200 otherwise. The body is the "
    "whole state; sending the same body again changes nothing and logs nothing."
)


def _status(response: Response, created: bool) -> None:
    response.status_code = 201 if created else 200


@router.put(
    "/domains/{key}",
    response_model=DomainOut,
    responses={**problem_responses(412, 422), **upsert_responses(DomainOut)},
    summary="Create or replace a domain",
    description=UPSERT,
)
def put_domain(
    key: ExternalId,
    body: DomainWrite,
    principal: PlannerKey,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> DomainOut:
    out, created = catalogue.put_domain(session, principal, key, body, if_match)
    _status(response, created)
    with_etag(response, out)
    return out


@router.get(
    "/domains/{key}",
    response_model=DomainOut,
    responses={**problem_responses(404), **etag_responses(200)},
    summary="A domain",
)
def get_domain(
    key: ExternalId, principal: ViewerKey, session: SessionDep, response: Response
) -> DomainOut:
    out = catalogue.get_domain(session, principal, key)
    with_etag(response, out)
    return out


@router.get("/domains", response_model=Page[DomainOut], summary="List domains (by key)")
def list_domains(
    principal: ViewerKey, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[DomainOut]:
    return catalogue.list_domains(session, principal, limit=limit, cursor=cursor)


@router.put(
    "/indicators/{key}",
    response_model=IndicatorOut,
    responses={**problem_responses(412, 422), **upsert_responses(IndicatorOut)},
    summary="Create or replace an indicator",
    description=UPSERT,
)
def put_indicator(
    key: ExternalId,
    body: IndicatorWrite,
    principal: PlannerKey,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> IndicatorOut:
    out, created = catalogue.put_indicator(session, principal, key, body, if_match)
    _status(response, created)
    with_etag(response, out)
    return out


@router.get(
    "/indicators/{key}",
    response_model=IndicatorOut,
    responses={**problem_responses(404), **etag_responses(200)},
    summary="An indicator",
)
def get_indicator(
    key: ExternalId, principal: ViewerKey, session: SessionDep, response: Response
) -> IndicatorOut:
    out = catalogue.get_indicator(session, principal, key)
    with_etag(response, out)
    return out


@router.get(
    "/indicators",
    response_model=Page[IndicatorOut],
    summary="List indicators (by key), optionally of one domain",
)
def list_indicators(
    principal: ViewerKey,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    domain: str | None = None,
) -> Page[IndicatorOut]:
    return catalogue.list_indicators(session, principal, limit=limit, cursor=cursor, domain=domain)


@router.put(
    "/interventions/{key}",
    response_model=InterventionOut,
    responses={**problem_responses(412, 422), **upsert_responses(InterventionOut)},
    summary="Create or replace an intervention",
    description=UPSERT + " Fields as in the scenario contract v1, plus `evidence_level`.",
)
def put_intervention(
    key: ExternalId,
    body: InterventionWrite,
    principal: PlannerKey,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> InterventionOut:
    out, created = catalogue.put_intervention(session, principal, key, body, if_match)
    _status(response, created)
    with_etag(response, out)
    return out


@router.get(
    "/interventions/{key}",
    response_model=InterventionOut,
    responses={**problem_responses(404), **etag_responses(200)},
    summary="An intervention",
)
def get_intervention(
    key: ExternalId, principal: ViewerKey, session: SessionDep, response: Response
) -> InterventionOut:
    out = catalogue.get_intervention(session, principal, key)
    with_etag(response, out)
    return out


@router.get(
    "/interventions",
    response_model=Page[InterventionOut],
    summary="List interventions (by key), filtered by primary domain or evidence level",
)
def list_interventions(
    principal: ViewerKey,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    domain: str | None = None,
    evidence_level: str | None = None,
) -> Page[InterventionOut]:
    return catalogue.list_interventions(
        session, principal, limit=limit, cursor=cursor, domain=domain, evidence_level=evidence_level
    )


@router.put(
    "/partners/{key}",
    response_model=PartnerOut,
    responses={**problem_responses(412, 422), **upsert_responses(PartnerOut)},
    summary="Create or replace a partner",
    description=UPSERT,
)
def put_partner(
    key: ExternalId,
    body: PartnerWrite,
    principal: PlannerKey,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> PartnerOut:
    out, created = catalogue.put_partner(session, principal, key, body, if_match)
    _status(response, created)
    with_etag(response, out)
    return out


@router.get(
    "/partners/{key}",
    response_model=PartnerOut,
    responses={**problem_responses(404), **etag_responses(200)},
    summary="A partner",
)
def get_partner(
    key: ExternalId, principal: ViewerKey, session: SessionDep, response: Response
) -> PartnerOut:
    out = catalogue.get_partner(session, principal, key)
    with_etag(response, out)
    return out


@router.get("/partners", response_model=Page[PartnerOut], summary="List partners (by key)")
def list_partners(
    principal: ViewerKey, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[PartnerOut]:
    return catalogue.list_partners(session, principal, limit=limit, cursor=cursor)
