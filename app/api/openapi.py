"""The OpenAPI document: problem responses under their own media type, and its exported form."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.api.problems import PROBLEM_MEDIA_TYPE

_SCHEMAS = "#/components/schemas/"


def operation_id(route: APIRoute) -> str:
    """The endpoint function's name (`create_scenario`), not FastAPI's default that appends the
    path and method: readable in generated clients, and stable while the function keeps its
    name. `tests/api/test_openapi.py` checks they are unique."""
    return route.name


def install_openapi(app: FastAPI) -> None:
    """Document error responses as `application/problem+json`, which is what they are."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _binary_uploads(_problem_media_type(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


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
