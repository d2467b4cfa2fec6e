"""Dependencies shared by the routers: settings, the request's transaction, the caller's key.

`SessionDep` is the request's one transaction: committed when the endpoint returns, rolled back
when it raises, before the response is sent (so a failed commit is never answered as success).
The API key is checked by the `KeyCheck` middleware before the body is read, in a short
read-only transaction of its own, so that a long synchronous solve holds no transaction open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.api.authentication import MISSING_KEY, PRINCIPAL_SCOPE_KEY
from app.core.config import Settings
from app.core.db import Database
from app.core.errors import Forbidden, Unauthorized
from app.core.security import Principal, Role
from app.schemas.common import INT32_MAX
from app.services.access.keys import authenticate


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


SettingsDep = Annotated[Settings, Depends(app_settings)]
DatabaseDep = Annotated[Database, Depends(app_database)]


_READING_METHODS = frozenset({"GET", "HEAD"})


def request_session(request: Request, database: DatabaseDep) -> Iterator[Session]:
    """GET and HEAD read only: their transaction takes no write lock (SQLite), so reads never
    queue behind writers. Every other method writes in one transaction committed at the end."""
    if request.method in _READING_METHODS:
        with database.read_transaction() as session:
            yield session
        return
    with database.transaction() as session:
        yield session


SessionDep = Annotated[Session, Depends(request_session, scope="function")]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key of your organisation: `Authorization: Bearer <key>`.",
)


def current_principal(
    request: Request,
    database: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    checked = request.scope.get(PRINCIPAL_SCOPE_KEY)
    if isinstance(checked, Principal):  # `KeyCheck` did it before the body was read
        return checked
    if credentials is None:
        raise Unauthorized(MISSING_KEY)
    with database.read_transaction() as session:
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
VersionPath = Annotated[
    int, Path(ge=1, le=INT32_MAX, description="The version number (1 is the first).")
]
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
