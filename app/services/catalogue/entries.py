"""Use cases: the catalogue's domains, indicators, interventions and partners.

`PUT /…/{key}` is an idempotent upsert: the body is the entity's whole state; a body that
changes nothing writes nothing (and no audit entry), one that does is recorded with its
changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.errors import NotFound, ValidationFailed
from app.core.security import Principal
from app.models import Domain, Indicator, Intervention, Partner, utcnow
from app.models.base import TenantMixin
from app.repositories.base import KeyedRepository
from app.repositories.catalogue import (
    DomainRepository,
    IndicatorRepository,
    InterventionRepository,
    PartnerRepository,
)
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
from app.services.access import audit
from app.services.interface import etags
from app.services.interface.pagination import decode_cursor, encode_cursor

M = TypeVar("M", bound=TenantMixin)
Out = TypeVar("Out", bound=BaseModel)


def upsert(
    session: Session,
    principal: Principal,
    repository: KeyedRepository[M],
    entity_type: str,
    key: str,
    state: dict[str, Any],
    make: Callable[[], M],
) -> tuple[M, bool]:
    """Bring the entity `key` to `state` (column → value); (row, created)."""
    row = repository.by_key(key)
    created = row is None
    before = None if row is None else {field: getattr(row, field) for field in state}
    changes = audit.diff(before, state)
    if row is None:
        row = make()
        setattr(row, repository.key_column, key)
    if changes:
        for field, value in state.items():
            setattr(row, field, value)
        if created:
            try:
                with session.begin_nested():
                    repository.add(row)
            except IntegrityError:
                # Another request created the same key between our read and this write (two
                # integrations sending the same new entity): bring theirs to this state instead.
                if repository.by_key(key) is None:
                    raise  # another constraint: not a race
                return upsert(session, principal, repository, entity_type, key, state, make)
        else:
            row.updated_at = utcnow()  # type: ignore[attr-defined]
            session.flush()
        audit.record(
            session,
            principal,
            f"{entity_type}.{'create' if created else 'update'}",
            entity_type,
            key,
            changes=_jsonable(changes),
        )
    return row, created


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return {field: [_plain(old), _plain(new)] for field, (old, new) in changes.items()}


def _plain(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def precondition(
    repository: KeyedRepository[M],
    key: str,
    out: Callable[[M], BaseModel],
    if_match: str | None,
    entity_type: str,
) -> None:
    """Refuse a write whose `If-Match` does not name the entity's current `ETag`."""
    if if_match is not None:
        row = repository.by_key(key)
        etags.check_if_match(if_match, None if row is None else out(row), f"{entity_type} {key!r}")


def get(repository: KeyedRepository[M], entity_type: str, key: str) -> M:
    row = repository.by_key(key)
    if row is None:
        raise NotFound(f"no {entity_type} {key!r}")
    return row


def page(
    repository: KeyedRepository[M],
    out: Callable[[M], Out],
    *,
    limit: int,
    cursor: str | None,
    filters: list[ColumnElement[bool]] | None = None,
) -> Page[Out]:
    rows, more = repository.page(
        repository.key_attribute, limit, decode_cursor(cursor), filters or []
    )
    return Page[Out](
        items=[out(row) for row in rows],
        next_cursor=encode_cursor(getattr(rows[-1], repository.key_column)) if more else None,
    )


# --- domains -----------------------------------------------------------------------------


def put_domain(
    session: Session,
    principal: Principal,
    key: str,
    body: DomainWrite,
    if_match: str | None = None,
) -> tuple[DomainOut, bool]:
    repository = DomainRepository(session, principal.organisation_id)
    precondition(repository, key, domain_out, if_match, "domain")
    row, created = upsert(session, principal, repository, "domain", key, body.model_dump(), Domain)
    return domain_out(row), created


def domain_out(row: Domain) -> DomainOut:
    return DomainOut.model_validate(row, from_attributes=True)


# --- indicators --------------------------------------------------------------------------


def put_indicator(
    session: Session,
    principal: Principal,
    key: str,
    body: IndicatorWrite,
    if_match: str | None = None,
) -> tuple[IndicatorOut, bool]:
    repository = IndicatorRepository(session, principal.organisation_id)
    precondition(repository, key, indicator_out, if_match, "indicator")
    row, created = upsert(
        session, principal, repository, "indicator", key, body.model_dump(), Indicator
    )
    return indicator_out(row), created


def indicator_out(row: Indicator) -> IndicatorOut:
    return IndicatorOut.model_validate(row, from_attributes=True)


# --- interventions -----------------------------------------------------------------------


def put_intervention(
    session: Session,
    principal: Principal,
    key: str,
    body: InterventionWrite,
    if_match: str | None = None,
) -> tuple[InterventionOut, bool]:
    if body.key is not None and body.key != key:
        message = f"the body's key {body.key!r} differs from the path's {key!r}"
        raise ValidationFailed(message, errors=[{"path": "key", "message": message}])
    state = intervention_state(body)
    repository = InterventionRepository(session, principal.organisation_id)
    precondition(repository, key, intervention_out, if_match, "intervention")
    row, created = upsert(session, principal, repository, "intervention", key, state, Intervention)
    return intervention_out(row), created


def intervention_state(body: InterventionWrite) -> dict[str, Any]:
    """The intervention's columns: the contract's fields live in `definition`."""
    return {
        "name": body.name,
        "domain": body.domain,
        "evidence_level": body.evidence_level,
        "definition": body.model_dump(mode="json", exclude={"key", "evidence_level"}),
    }


def intervention_out(row: Intervention) -> InterventionOut:
    return InterventionOut.model_validate(
        {
            **row.definition,
            "key": row.key,
            "evidence_level": row.evidence_level,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )


def intervention_document(row: Intervention) -> dict[str, Any]:
    """The intervention as a scenario document lists it (contract v1)."""
    return {"key": row.key, **row.definition}


# --- partners ----------------------------------------------------------------------------


def put_partner(
    session: Session,
    principal: Principal,
    key: str,
    body: PartnerWrite,
    if_match: str | None = None,
) -> tuple[PartnerOut, bool]:
    state = partner_state(body)
    repository = PartnerRepository(session, principal.organisation_id)
    precondition(repository, key, partner_out, if_match, "partner")
    row, created = upsert(session, principal, repository, "partner", key, state, Partner)
    return partner_out(row), created


def partner_state(body: PartnerWrite) -> dict[str, Any]:
    return {"name": body.name, "budget": body.budget.model_dump(mode="json")}


def partner_out(row: Partner) -> PartnerOut:
    return PartnerOut.model_validate(
        {
            "key": row.key,
            "name": row.name,
            "budget": row.budget,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )


# --- reading -----------------------------------------------------------------------------


def get_domain(session: Session, principal: Principal, key: str) -> DomainOut:
    return domain_out(get(DomainRepository(session, principal.organisation_id), "domain", key))


def get_indicator(session: Session, principal: Principal, key: str) -> IndicatorOut:
    return indicator_out(
        get(IndicatorRepository(session, principal.organisation_id), "indicator", key)
    )


def get_intervention(session: Session, principal: Principal, key: str) -> InterventionOut:
    return intervention_out(
        get(InterventionRepository(session, principal.organisation_id), "intervention", key)
    )


def get_partner(session: Session, principal: Principal, key: str) -> PartnerOut:
    return partner_out(get(PartnerRepository(session, principal.organisation_id), "partner", key))


def list_domains(
    session: Session, principal: Principal, *, limit: int, cursor: str | None
) -> Page[DomainOut]:
    return page(
        DomainRepository(session, principal.organisation_id), domain_out, limit=limit, cursor=cursor
    )


def list_indicators(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    domain: str | None = None,
) -> Page[IndicatorOut]:
    filters = [] if domain is None else [Indicator.domain == domain]
    return page(
        IndicatorRepository(session, principal.organisation_id),
        indicator_out,
        limit=limit,
        cursor=cursor,
        filters=filters,
    )


def list_interventions(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    domain: str | None = None,
    evidence_level: str | None = None,
) -> Page[InterventionOut]:
    filters = []
    if domain is not None:
        filters.append(Intervention.domain == domain)
    if evidence_level is not None:
        filters.append(Intervention.evidence_level == evidence_level)
    return page(
        InterventionRepository(session, principal.organisation_id),
        intervention_out,
        limit=limit,
        cursor=cursor,
        filters=filters,
    )


def list_partners(
    session: Session, principal: Principal, *, limit: int, cursor: str | None
) -> Page[PartnerOut]:
    return page(
        PartnerRepository(session, principal.organisation_id),
        partner_out,
        limit=limit,
        cursor=cursor,
    )
