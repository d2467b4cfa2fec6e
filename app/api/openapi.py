"""The OpenAPI document tells what the service answers: every error status an operation can
give, as `application/problem+json` with the problem types behind it, and the headers that come
with it (`Retry-After`, `WWW-Authenticate`).

An operation that starts solves lists 429 itself (`problem_responses(429)`). The other statuses
are added by rule, from what every request goes through, so a router added later
is documented without doing anything:
- every operation: 503 (the database was too busy to answer in time, or is not ready);
- under `/api/v1`: 401 (the key is checked first), 403 (its role);
- with a request body: 400 (malformed JSON), 413 (too large), 422 (invalid);
- with parameters: 422; with path parameters: 404.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.api.problems import PROBLEM_MEDIA_TYPE
from app.core.errors import PROBLEM_BASE

_PROBLEM_REF = "#/components/schemas/Problem"
_API_PREFIX = "/api/v1"
_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}
_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": "`Bearer`: how to authenticate.",
        "schema": {"type": "string"},
    }
}


def _types(*kinds: str) -> str:
    return "Problem types: " + ", ".join(f"`{PROBLEM_BASE}{kind}`" for kind in kinds) + "."


ERROR_RESPONSES: dict[int, tuple[str, dict[str, Any] | None]] = {
    400: ("Malformed JSON. " + _types("malformed-json"), None),
    401: (
        "No API key, or one that is unknown or revoked. " + _types("unauthorized"),
        _WWW_AUTHENTICATE,
    ),
    403: ("The key's role may not do this. " + _types("forbidden"), None),
    404: ("Nothing of that id in your organisation. " + _types("not-found"), None),
    409: (
        "Conflicts with the current state, or an `Idempotency-Key` reused with another body. "
        + _types("conflict", "idempotency-key-reused"),
        None,
    ),
    413: (
        "Request body larger than the server accepts. " + _types("payload-too-large"),
        None,
    ),
    422: (
        "Invalid request: `errors` names every offending field by its JSON path (a problem too "
        "large to solve names its size and the limit). "
        + _types("validation", "problem-too-large"),
        None,
    ),
    429: (
        "Your organisation already has as many solves and runs going as it may; another "
        "organisation is not affected. " + _types("too-many-active-runs"),
        _RETRY_AFTER,
    ),
    503: (
        "The database could not be reached in time (busy, or not ready): send the request "
        "again after `Retry-After` seconds. " + _types("database-busy", "not-ready"),
        _RETRY_AFTER,
    ),
}
_SCHEMAS = "#/components/schemas/"


def operation_id(route: APIRoute) -> str:
    """The endpoint function's name (`create_scenario`), not FastAPI's default that appends the
    path and method: readable in generated clients, and stable while the function keeps its
    name. `tests/api/service/test_openapi.py` checks they are unique."""
    return route.name


def install_openapi(app: FastAPI) -> None:
    """Generate the document once, with every error documented."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = document_errors(generate())
            app.openapi_schema = _binary_uploads(_problem_media_type(schema))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(path, operation)):
                responses.setdefault(str(status), {})
            for status, response in responses.items():
                if status.isdigit() and int(status) in ERROR_RESPONSES:
                    _as_problem(int(status), response)
    schema.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
    schema.get("components", {}).get("schemas", {}).pop("ValidationError", None)
    return schema


def _statuses(path: str, operation: dict[str, Any]) -> set[int]:
    statuses = {503}
    parameters = operation.get("parameters", [])
    if path.startswith(_API_PREFIX):
        statuses |= {401, 403}
    if "requestBody" in operation:
        statuses |= {400, 413, 422}
    if parameters:
        statuses.add(422)
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.add(404)
    return statuses


def _as_problem(status: int, response: dict[str, Any]) -> None:
    description, headers = ERROR_RESPONSES[status]
    response["description"] = description
    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _PROBLEM_REF}}}
    if headers:
        response["headers"] = dict(headers)
def _problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                plain = content.get("application/json")
                reference = (plain or {}).get("schema", {}).get("$ref", "")
                if plain is not None and _is_problem(reference):
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


def _is_problem(reference: str) -> bool:
    """The Problem document, or an extension of it named `…Problem`."""
    return reference.startswith(_SCHEMAS) and reference.endswith("Problem")


def _binary_uploads(schema: dict[str, Any]) -> dict[str, Any]:
    """Mark uploaded files (`contentMediaType: application/octet-stream`, how FastAPI writes an
    `UploadFile` in OpenAPI 3.1) also with `format: binary`, the OpenAPI 3.0 way that client
    generators (openapi-python-client among them) read as a file to send with its name."""

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get(
                    "contentMediaType") == "application/octet-stream":
                node.setdefault("format", "binary")
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema.get("components", {}).get("schemas", {}))
    return schema


def openapi_json(app: FastAPI) -> str:
    """The document as exported to `openapi/openapi.json` (sorted keys, indent 2, newline)."""
    return json.dumps(app.openapi(), sort_keys=True, indent=2) + "\n"
