"""A pure ASGI middleware that checks the API key of every `/api/v1` request from its headers,
before a byte of the body is read: a request without a valid key is answered 401 at once, so
an anonymous client cannot make the server receive, parse or validate anything.

The key is looked up in a worker thread (a database query must not hold the event loop, which
keeps answering `/health` and every other client meanwhile). The caller found is put in the
request's scope, where the `current_principal` dependency takes it: each request is
authenticated once. Keys are compared in constant time (`app.core.security.matches`).
"""

from __future__ import annotations

import anyio.to_thread
import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.problems import problem_response
from app.core.db import Database
from app.core.errors import DatabaseBusy, OnderbouwdError, Unauthorized
from app.core.security import Principal
from app.services.access.keys import authenticate

PROTECTED_PREFIX = "/api/v1"
PRINCIPAL_SCOPE_KEY = "onderbouwd.principal"
MISSING_KEY = "this endpoint needs an API key: send `Authorization: Bearer <key>`"


class KeyCheck:
    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")
        ):
            await self.app(scope, receive, send)
            return
        key = bearer_key(scope)
        try:
            if key is None:
                raise Unauthorized(MISSING_KEY)
            principal = await anyio.to_thread.run_sync(self._authenticate, key)
        except OnderbouwdError as error:  # 401, or 503 when the database is out of reach
            await self._refuse(error, scope, receive, send)
            return
        scope[PRINCIPAL_SCOPE_KEY] = principal
        structlog.contextvars.bind_contextvars(organisation_id=str(principal.organisation_id))
        await self.app(scope, receive, send)

    def _authenticate(self, key: str) -> Principal:
        try:
            with self.database.read_transaction() as session:
                return authenticate(session, key)
        except (OperationalError, PoolTimeout):
            raise DatabaseBusy() from None

    async def _refuse(
        self, error: OnderbouwdError, scope: Scope, receive: Receive, send: Send
    ) -> None:
        headers = dict(error.headers or {})
        if _has_body(scope):
            headers["Connection"] = "close"  # the unread body cannot be skipped on this connection
        response = problem_response(error, scope.get("path", ""), headers=headers)
        await response(scope, receive, send)


def bearer_key(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
            return None
    return None


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return True
    return False
