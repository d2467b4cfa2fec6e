from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.api.deps import AdminKey, SessionDep
from app.api.problems import problem_responses
from app.api.transaction_route import TransactionRoute
from app.schemas.keys import KeyCreate, KeyCreated, KeyOut
from app.services.access import keys

router = APIRouter(
    route_class=TransactionRoute, prefix="/api/v1/keys", tags=["keys"],
    responses=problem_responses(401, 403)
)


@router.get("", response_model=list[KeyOut], summary="List the organisation's API keys")
def list_keys(principal: AdminKey, session: SessionDep) -> list[KeyOut]:
    return keys.list_keys(session, principal)


@router.post(
    "",
    response_model=KeyCreated,
    status_code=201,
    responses=problem_responses(422),
    summary="Create an API key (the key is in this answer only)",
)
def create_key(body: KeyCreate, principal: AdminKey, session: SessionDep) -> KeyCreated:
    return keys.create_key(session, principal, body.name, body.role)


@router.post(
    "/{key_id}/revoke",
    response_model=KeyOut,
    responses=problem_responses(404),
    summary="Revoke an API key",
)
def revoke_key(key_id: uuid.UUID, principal: AdminKey, session: SessionDep) -> KeyOut:
    return keys.revoke_key(session, principal, key_id)
