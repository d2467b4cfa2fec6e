"""Dependencies shared by the routers: settings, the request's transaction, the caller's key.

`SessionDep` is the request's one transaction: committed when the endpoint returns, rolled back
when it raises, before the response is sent (so a failed commit is never answered as success).
The API key is checked in a short transaction of its own, so that a long synchronous solve
holds no database transaction open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import Database
from app.core.errors import Forbidden, Unauthorized
from app.core.security import Principal, Role
from app.services.keys import authenticate


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


SettingsDep = Annotated[Settings, Depends(app_settings)]
DatabaseDep = Annotated[Database, Depends(app_database)]


def request_session(database: DatabaseDep) -> Iterator[Session]:
    with database.transaction() as session:
        yield session


SessionDep = Annotated[Session, Depends(request_session, scope="function")]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key of your organisation: `Authorization: Bearer <key>`.",
)


def current_principal(
    database: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("this endpoint needs an API key: send `Authorization: Bearer <key>`")
    with database.transaction() as session:
        return authenticate(session, credentials.credentials)


def _require(role: Role) -> Callable[[Principal], Principal]:
    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.role.allows(role):
            raise Forbidden(
                f"this needs a key with the role {role.value} or higher; "
                f"this key has the role {principal.role.value}"
            )
        return principal

    return dependency


ViewerKey = Annotated[Principal, Depends(_require(Role.viewer))]
PlannerKey = Annotated[Principal, Depends(_require(Role.planner))]
AdminKey = Annotated[Principal, Depends(_require(Role.admin))]

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(description="`next_cursor` of the previous page; absent for the first.")
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Retry safely: the same key with the same body answers the first response "
        "again and creates nothing; the same key with another body is a 409 problem.",
    ),
]
