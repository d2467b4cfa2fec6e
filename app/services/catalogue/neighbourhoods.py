"""Use cases: neighbourhoods with their measurements, staff adjustments, and domain scores."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.security import Principal
from app.models import Adjustment, IndicatorValue, Neighbourhood, utcnow
from app.repositories.catalogue import (
    AdjustmentRepository,
    DomainRepository,
    IndicatorRepository,
    NeighbourhoodRepository,
)
from app.schemas.catalogue import (
    AdjustmentOut,
    AdjustmentWrite,
    NeighbourhoodOut,
    NeighbourhoodScoresOut,
    NeighbourhoodSummary,
    NeighbourhoodWrite,
)
from app.schemas.catalogue import IndicatorValue as IndicatorValueSchema
from app.schemas.common import Page
from app.schemas.scenario import DEFAULT_DOMAINS, DomainScore
from app.services.access import audit
from app.services.catalogue.entries import page, precondition, upsert
from app.services.catalogue.normalisation import IndicatorSpec, domain_scores
from app.services.catalogue.units import unit_values

FIELDS = ("name", "district", "municipality", "homes", "regulated_homes")


def put_neighbourhood(
    session: Session,
    principal: Principal,
    code: str,
    body: NeighbourhoodWrite,
    if_match: str | None = None,
) -> tuple[NeighbourhoodOut, bool]:
    repository = NeighbourhoodRepository(session, principal.organisation_id)
    precondition(repository, code, neighbourhood_out, if_match, "neighbourhood")
    state = {field: getattr(body, field) for field in FIELDS}
    row, created = upsert(
        session, principal, repository, "neighbourhood", code, state, Neighbourhood
    )
    if body.indicator_values is not None:
        _replace_values(session, principal, row, body.indicator_values)
    return neighbourhood_out(row), created


def _replace_values(
    session: Session, principal: Principal, row: Neighbourhood, values: list[IndicatorValueSchema]
) -> None:
    wanted = {(v.indicator, v.year): v.value for v in values}
    stored = {(v.indicator, v.year): v for v in row.values}
    changes: dict[str, Any] = {}
    for where, value in stored.items():
        if where not in wanted:
            row.values.remove(value)
            changes[f"{where[0]}[{where[1]}]"] = [value.value, None]
        elif value.value != wanted[where]:
            changes[f"{where[0]}[{where[1]}]"] = [value.value, wanted[where]]
            value.value = wanted[where]
    for (indicator, year), measured in wanted.items():
        if (indicator, year) not in stored:
            row.values.append(
                IndicatorValue(
                    organisation_id=principal.organisation_id,
                    indicator=indicator,
                    year=year,
                    value=measured,
                )
            )
            changes[f"{indicator}[{year}]"] = [None, measured]
    if changes:
        row.updated_at = utcnow()
        session.flush()
        audit.record(
            session, principal, "neighbourhood.values", "neighbourhood", row.code, changes=changes
        )


def get_neighbourhood(session: Session, principal: Principal, code: str) -> NeighbourhoodOut:
    return neighbourhood_out(_neighbourhood(session, principal, code))


def list_neighbourhoods(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    district: str | None = None,
    municipality: str | None = None,
) -> Page[NeighbourhoodSummary]:
    filters = []
    if district is not None:
        filters.append(Neighbourhood.district == district)
    if municipality is not None:
        filters.append(Neighbourhood.municipality == municipality)
    return page(
        NeighbourhoodRepository(session, principal.organisation_id),
        lambda row: NeighbourhoodSummary.model_validate(row, from_attributes=True),
        limit=limit,
        cursor=cursor,
        filters=filters,
    )


def put_adjustment(
    session: Session, principal: Principal, code: str, domain: str, body: AdjustmentWrite
) -> tuple[AdjustmentOut, bool]:
    neighbourhood = _neighbourhood(session, principal, code)
    repository = AdjustmentRepository(session, principal.organisation_id)
    row = repository.for_domain(neighbourhood.id, domain)
    state = body.model_dump()
    before = None if row is None else {"delta": row.delta, "rationale": row.rationale}
    changes = audit.diff(before, state)
    if row is None:
        row = repository.add(Adjustment(neighbourhood_id=neighbourhood.id, domain=domain, **state))
        created = True
    else:
        created = False
        if changes:
            row.delta, row.rationale, row.updated_at = body.delta, body.rationale, utcnow()
            session.flush()
    if changes:
        audit.record(
            session,
            principal,
            f"adjustment.{'create' if created else 'update'}",
            "neighbourhood",
            f"{code}/{domain}",
            changes=changes,
            rationale=body.rationale,
        )
    return AdjustmentOut.model_validate(row, from_attributes=True), created


def delete_adjustment(session: Session, principal: Principal, code: str, domain: str) -> None:
    neighbourhood = _neighbourhood(session, principal, code)
    repository = AdjustmentRepository(session, principal.organisation_id)
    row = repository.for_domain(neighbourhood.id, domain)
    if row is None:
        raise NotFound(f"neighbourhood {code!r} has no adjustment for {domain!r}")
    audit.record(
        session,
        principal,
        "adjustment.delete",
        "neighbourhood",
        f"{code}/{domain}",
        changes={"delta": [row.delta, None]},
        rationale=row.rationale,
    )
    repository.delete(row)


def get_scores(session: Session, principal: Principal, code: str) -> NeighbourhoodScoresOut:
    _neighbourhood(session, principal, code)
    scores = catalogue_scores(session, principal, [code], None)
    return NeighbourhoodScoresOut(code=code, scores=scores.get(code, {}))


def catalogue_scores(
    session: Session, principal: Principal, codes: list[str], domains: list[str] | None
) -> dict[str, dict[str, DomainScore]]:
    """Domain scores of `codes` (normalised against every neighbourhood of the organisation)
    for `domains` (default: the catalogue's domains, or the default eight)."""
    organisation = principal.organisation_id
    domain_rows = DomainRepository(session, organisation).everything()
    if domains is None:
        domains = [d.key for d in domain_rows] or [key for key, _ in DEFAULT_DOMAINS]
    specs = [
        IndicatorSpec(
            key=row.key,
            domain=row.domain,
            higher_is_better=row.direction == "higher_is_better",
            reference_value=row.reference_value,
            reference_spread=row.reference_spread,
        )
        for row in IndicatorRepository(session, organisation).everything()
    ]
    values: dict[str, dict[str, dict[int, float]]] = {}
    adjustments: dict[str, dict[str, float]] = {}
    for row in NeighbourhoodRepository(session, organisation).with_details():
        per_indicator: dict[str, dict[int, float]] = values.setdefault(row.code, {})
        for value in row.values:
            per_indicator.setdefault(value.indicator, {})[value.year] = value.value
        adjustments[row.code] = {a.domain: a.delta for a in row.adjustments}
    # Indicators measured per unit: the buurt values made from the units take the place of
    # values stored on the neighbourhood for the same indicator and year.
    for code, per_indicator in unit_values(session, principal).items():
        if code in values:
            for key, years in per_indicator.items():
                values[code].setdefault(key, {}).update(years)
    return domain_scores(
        specs,
        values,
        domains=domains,
        targets={d.key: d.target for d in domain_rows},
        adjustments=adjustments,
        neighbourhoods=codes,
    )


def neighbourhood_out(row: Neighbourhood) -> NeighbourhoodOut:
    return NeighbourhoodOut(
        **NeighbourhoodSummary.model_validate(row, from_attributes=True).model_dump(),
        indicator_values=[
            IndicatorValueSchema(indicator=v.indicator, year=v.year, value=v.value)
            for v in sorted(row.values, key=lambda v: (v.indicator, v.year))
        ],
        adjustments=[
            AdjustmentOut.model_validate(a, from_attributes=True) for a in row.adjustments
        ],
    )


def _neighbourhood(session: Session, principal: Principal, code: str) -> Neighbourhood:
    row = NeighbourhoodRepository(session, principal.organisation_id).by_key(code)
    if row is None:
        raise NotFound(f"no neighbourhood {code!r}")
    return row
