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


# Seconds a client is asked to wait (`Retry-After`) when the database was too busy to answer.
RETRY_AFTER_BUSY_S = 2


class NotReady(OnderbouwdError):
    status = 503
    type = PROBLEM_BASE + "not-ready"
    title = "Service Unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_BUSY_S)})


class DatabaseBusy(OnderbouwdError):
    status = 503
    type = PROBLEM_BASE + "database-busy"
    title = "Service Unavailable"

    def __init__(self) -> None:
        super().__init__(
            "the database was too busy to answer in time; nothing was written: send this "
            f"request again in {RETRY_AFTER_BUSY_S} seconds",
            headers={"Retry-After": str(RETRY_AFTER_BUSY_S)},
        )


# Seconds a client is asked to wait when its organisation is at its limit of solves at once:
# about the time a small run takes (queue poll, solve, explanation).
RETRY_AFTER_LIMIT_S = 10


class TooManyActiveRuns(OnderbouwdError):
    status = 429
    type = PROBLEM_BASE + "too-many-active-runs"
    title = "Too Many Requests"

    def __init__(self, active: int, limit: int) -> None:
        super().__init__(
            f"your organisation has {active} solves and runs queued or in progress, and may "
            f"have {limit} at once: wait for one to finish (or cancel one), then try again",
            headers={"Retry-After": str(RETRY_AFTER_LIMIT_S)},
        )


class ProblemTooLarge(ValidationFailed):
    type = PROBLEM_BASE + "problem-too-large"
    title = "Problem too large"

    def __init__(self, size: int, limit: int, shape: str) -> None:
        message = (
            f"the problem is too large to solve here: {shape} = {size:,} "
            f"(neighbourhoods × interventions × years), over the limit of {limit:,}"
        )
        super().__init__(message, errors=[{"path": "", "message": message}])
        self.size = size
        self.limit = limit

class PreconditionFailed(OnderbouwdError):
    status = 412
    type = PROBLEM_BASE + "precondition-failed"
    title = "Precondition Failed"
