"""Domain errors that carry their HTTP status and RFC 9457 problem type.

Services raise these without knowing about the web framework; `app.api.problems` renders them
as `application/problem+json` documents.
"""

from __future__ import annotations

from typing import Any

PROBLEM_BASE = "https://onderbouwd.nl/problems/"

FieldError = dict[str, str]  # {"path": "interventions[0].cost.fixed", "message": "..."}


class OnderbouwdError(Exception):
    """Base of every error a client can be told about."""

    status: int = 500
    type: str = PROBLEM_BASE + "internal"
    title: str = "Internal error"
    members: dict[str, Any] | None = None  # RFC 9457 extension members of the document

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        status: int | None = None,
        type: str | None = None,  # the RFC 9457 member name
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers
        if status is not None:
            self.status = status
        if type is not None:
            self.type = type
        if title is not None:
            self.title = title


class ValidationFailed(OnderbouwdError):
    status = 422
    type = PROBLEM_BASE + "validation"
    title = "Validation failed"


class MalformedJson(OnderbouwdError):
    status = 400
    type = PROBLEM_BASE + "malformed-json"
    title = "Malformed JSON"

    def __init__(self, detail: str, *, line: int | None = None, column: int | None = None):
        super().__init__(detail)
        self.line = line
        self.column = column


class PayloadTooLarge(OnderbouwdError):
    status = 413
    type = PROBLEM_BASE + "payload-too-large"
    title = "Request body too large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"the request body exceeds the limit of {limit_bytes:,} bytes")
        self.limit_bytes = limit_bytes


class Unauthorized(OnderbouwdError):
    status = 401
    type = PROBLEM_BASE + "unauthorized"
    title = "Unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(OnderbouwdError):
    status = 403
    type = PROBLEM_BASE + "forbidden"
    title = "Forbidden"


class NotFound(OnderbouwdError):
    status = 404
    type = PROBLEM_BASE + "not-found"
    title = "Not Found"


class Conflict(OnderbouwdError):
    status = 409
    type = PROBLEM_BASE + "conflict"
    title = "Conflict"


class IdempotencyKeyReused(Conflict):
    type = PROBLEM_BASE + "idempotency-key-reused"
    title = "Idempotency-Key reused"


class NotReady(OnderbouwdError):
    status = 503
    type = PROBLEM_BASE + "not-ready"
    title = "Service Unavailable"


class PreconditionFailed(OnderbouwdError):
    status = 412
    type = PROBLEM_BASE + "precondition-failed"
    title = "Precondition Failed"
