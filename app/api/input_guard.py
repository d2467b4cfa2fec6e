"""Control characters are refused in every request, whatever its endpoint: in path and query
parameters and anywhere in a JSON body (values and keys), before anything reaches a service.

PostgreSQL cannot store NUL in text or JSON at all, and the other control characters are never
meant; tab, newline and carriage return stay allowed here because free text may hold them (the
schemas' `Identifier` type refuses them in identifiers). Registered as an application-wide
dependency, so an endpoint added later is covered without doing anything. A plain `def`:
FastAPI runs it in the thread pool, so walking a large document never holds the event loop.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from app.api.problems import validation_failed
from app.core.errors import FieldError
from app.schemas.common import control_character
from app.schemas.scenario import document_path

_FREE_TEXT = frozenset("\t\n\r")
_MESSAGE = "must not contain control characters other than tab and newline (found {})"
_NAME_MESSAGE = "must not contain control characters (found {})"


def refuse_control_characters(request: Request) -> None:
    errors: list[FieldError] = []
    for name, value in request.path_params.items():
        # A path parameter names something (a key, a code, an id): no control character at all.
        _check_text(str(value), f"path.{name}", errors, allowed=frozenset())
    for name, value in request.query_params.multi_items():
        _check_text(name, f"query.{name}", errors, key=True)
        _check_text(value, f"query.{name}", errors)
    # The body FastAPI has already parsed for this request, if it was JSON.
    body = getattr(request, "_json", None)
    if body is not None:
        _walk(body, (), errors)
    if errors:
        raise validation_failed(errors)


def _walk(node: Any, trail: tuple[int | str, ...], errors: list[FieldError]) -> None:
    # Iterative, so a deeply nested document cannot exhaust the stack.
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(node, trail)]
    while stack and len(errors) < 50:
        value, where = stack.pop()
        if isinstance(value, str):
            _check_text(value, document_path(where), errors)
        elif isinstance(value, dict):
            for key, child in value.items():
                _check_text(key, document_path((*where, key)), errors, key=True)
                stack.append((child, (*where, key)))
        elif isinstance(value, list):
            stack.extend((child, (*where, index)) for index, child in enumerate(value))


def _check_text(value: str, path: str, errors: list[FieldError], key: bool = False,
                allowed: frozenset[str] = _FREE_TEXT) -> None:
    found = control_character(value, allowed)
    if found:
        message = (_MESSAGE if allowed else _NAME_MESSAGE).format(found)
        errors.append({"path": _printable(path), "message": f"a key {message}" if key else message})


def _printable(path: str) -> str:
    """The path as the client would write it in JSON: control characters as `\\uXXXX`."""
    return "".join(
        f"\\u{ord(c):04x}" if c < " " or c == "\x7f" else c for c in path
    )
