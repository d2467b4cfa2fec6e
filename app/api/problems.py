"""RFC 9457 problem documents (`application/problem+json`) for every error a client can meet.

Every handler answers `type`, `title`, `status`, `detail` and `instance` (the request path);
validation problems add `errors: [{path, message}]` with JSON paths such as
`interventions[3].partner_contributions[0].partner`.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import (
    PROBLEM_BASE,
    Conflict,
    FieldError,
    MalformedJson,
    OnderbouwdError,
    ValidationFailed,
)
from app.schemas.scenario import ScenarioInvalid, json_path

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemFieldError(BaseModel):
    path: str = Field(description="JSON path of the offending field; empty for the document.")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="Path of the request that failed.")
    errors: list[ProblemFieldError] | None = Field(
        default=None, description="Validation problems: every offending field."
    )
    line: int | None = Field(default=None, description="Malformed JSON: line of the error.")
    column: int | None = Field(default=None, description="Malformed JSON: column of the error.")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    error: OnderbouwdError, instance: str, headers: Mapping[str, str] | None = None
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": error.type,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": instance,
    }
    if error.errors is not None:
        body["errors"] = error.errors
    if error.members:
        body.update(error.members)
    if isinstance(error, MalformedJson):
        body.update(
            {
                key: value
                for key, value in (("line", error.line), ("column", error.column))
                if value is not None
            }
        )
    return ProblemResponse(body, status_code=error.status, headers=headers)


def validation_failed(errors: list[FieldError]) -> ValidationFailed:
    first = errors[0] if errors else {"path": "", "message": "invalid request"}
    where = first["path"] or "(document)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ValidationFailed(f"{where}: {first['message']}{more}", errors=errors)


def request_validation_errors(exc: RequestValidationError) -> list[FieldError]:
    """FastAPI's validation errors as `{path, message}`, paths relative to the body."""
    seen: dict[str, str] = {}
    for item in exc.errors():
        loc = tuple(item.get("loc", ()))
        if loc[:1] == ("body",):
            loc = loc[1:]
        path = json_path(loc)
        message = str(item.get("msg", "invalid value"))
        if not loc and item.get("type") == "missing":
            message = "a request body is required: the scenario document as a JSON object"
        seen.setdefault(path, message)
    return [{"path": path, "message": message} for path, message in seen.items()]


def malformed_json(item: dict[str, Any], document: Any) -> MalformedJson:
    loc = tuple(item.get("loc", ()))
    reason = str((item.get("ctx") or {}).get("error", "invalid JSON"))
    position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    if position is None or not isinstance(document, str):
        return MalformedJson(f"the request body is not valid JSON: {reason}")
    line = document.count("\n", 0, position) + 1
    column = position - (document.rfind("\n", 0, position) + 1) + 1
    return MalformedJson(
        f"the request body is not valid JSON: {reason} at line {line}, column {column} "
        f"(character {position})",
        line=line,
        column=column,
    )


async def _onderbouwd_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, OnderbouwdError)
    return problem_response(exc, request.url.path, headers=exc.headers)


async def _scenario_invalid(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, ScenarioInvalid)
    return problem_response(validation_failed(exc.errors), request.url.path)


async def _request_validation(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    for item in exc.errors():
        if item.get("type") == "json_invalid":
            return problem_response(malformed_json(item, exc.body), request.url.path)
    return problem_response(validation_failed(request_validation_errors(exc)), request.url.path)


_HTTP_TYPES = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}


# FastAPI's answer when the body cannot even be decoded: bytes that are not UTF-8 text, a
# number with thousands of digits, nesting deeper than the parser goes.
_UNPARSEABLE_BODY = "There was an error parsing the body"


async def _http_exception(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 400 and exc.detail == _UNPARSEABLE_BODY:
        unparseable = MalformedJson(
            "the request body cannot be read as JSON (it is not UTF-8 "
            "text, holds a number too long, or nests too deeply)"
        )
        return problem_response(unparseable, request.url.path)
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else title
    if status == 404 and detail == title:
        detail = f"nothing at {request.url.path}"
    elif status == 405 and detail == title:
        detail = f"{request.method} is not allowed on {request.url.path}"
    kind = _HTTP_TYPES.get(status)
    error = OnderbouwdError(
        detail, status=status, title=title, type=PROBLEM_BASE + kind if kind else "about:blank"
    )
    return problem_response(error, request.url.path, headers=exc.headers)


async def _integrity(request: Request, exc: Exception) -> ProblemResponse:
    # Two requests wrote the same thing at once (the same Idempotency-Key, the same new
    # version number); the unique constraint kept one, this one wrote nothing.
    error = Conflict(
        "another request changed the same data at the same time; nothing was "
        "written: send this request again"
    )
    return problem_response(error, request.url.path)


async def _unexpected(request: Request, exc: Exception) -> ProblemResponse:
    # The details stay in the server log (the exception propagates to the server after this).
    error = OnderbouwdError("the server could not answer this request; the error has been logged")
    return problem_response(error, request.url.path)


def register_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OnderbouwdError, _onderbouwd_error)
    app.add_exception_handler(ScenarioInvalid, _scenario_invalid)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting problem documents for the given statuses."""
    descriptions = {
        400: "Malformed JSON (`application/problem+json`).",
        413: "Request body larger than the server accepts (`application/problem+json`).",
        422: "Invalid document: `errors` names every offending JSON path "
        "(`application/problem+json`).",
        401: "No API key, or one that is unknown or revoked (`application/problem+json`).",
        403: "The key's role may not do this (`application/problem+json`).",
        404: "Nothing of that id in your organisation (`application/problem+json`).",
        409: "Conflicts with the current state, or an `Idempotency-Key` reused with another "
        "body (`application/problem+json`).",
        412: "`If-Match` names a state the resource no longer has (`application/problem+json`).",
        503: "Not ready: database unreachable or schema not current (`application/problem+json`).",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions.get(status, HTTPStatus(status).phrase),
        }
        for status in statuses
    }
