from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import Cursor, Limit, SessionDep, ViewerKey
from app.api.problems import problem_responses
from app.api.transaction_route import TransactionRoute
from app.schemas.common import AuditEntryOut, Page
from app.services.access import audit

router = APIRouter(
    route_class=TransactionRoute, prefix="/api/v1/audit", tags=["audit"],
    responses=problem_responses(401)
)


@router.get(
    "", response_model=Page[AuditEntryOut], summary="The audit log: who changed what, oldest first"
)
def list_entries(
    principal: ViewerKey,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    entity_type: str | None = None,
    entity_key: str | None = None,
) -> Page[AuditEntryOut]:
    return audit.list_entries(
        session,
        principal,
        limit=limit,
        cursor=cursor,
        entity_type=entity_type,
        entity_key=entity_key,
    )
