"""Use case: record who changed what; read the log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.core.security import Principal
from app.models import AuditEntry
from app.repositories.audit import AuditRepository
from app.schemas.common import AuditEntryOut, Page
from app.services.interface.pagination import decode_cursor, encode_cursor


def record(
    session: Session,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_key: str,
    *,
    changes: dict[str, Any] | None = None,
    rationale: str | None = None,
) -> None:
    AuditRepository(session, principal.organisation_id).add(
        AuditEntry(
            actor=principal.actor,
            action=action,
            entity_type=entity_type,
            entity_key=entity_key,
            changes=changes,
            rationale=rationale,
        )
    )


def list_entries(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    entity_type: str | None = None,
    entity_key: str | None = None,
) -> Page[AuditEntryOut]:
    repository = AuditRepository(session, principal.organisation_id)
    filters = []
    if entity_type is not None:
        filters.append(AuditEntry.entity_type == entity_type)
    if entity_key is not None:
        filters.append(AuditEntry.entity_key == entity_key)
    rows, more = repository.page(AuditEntry.id, limit, decode_cursor(cursor, "uuid"), filters)
    return Page[AuditEntryOut](
        items=[AuditEntryOut.model_validate(row, from_attributes=True) for row in rows],
        next_cursor=encode_cursor(rows[-1].id) if more else None,
    )


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """`{field: [old, new]}` for every field that changed (everything when created)."""
    if before is None:
        return {field: [None, value] for field, value in after.items()}
    return {
        field: [before.get(field), value]
        for field, value in after.items()
        if before.get(field) != value
    }
