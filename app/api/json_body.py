"""Large JSON request bodies are parsed and validated in a worker thread, not on the event loop.

FastAPI parses a JSON body with `json.loads`, and validates it against the endpoint's model, on
the event loop; a scenario of megabytes holds it for a good part of a second (3,000
neighbourhoods, 2 MiB: 0.18 s to validate alone), during which `/health` and every other client
wait. Routes of this class read the body (already authenticated by `KeyCheck` and counted by
`BodySizeLimit`) and, above `OFF_LOOP_BYTES`, parse it in a thread and, where the route takes
one body model, validate it there too. They leave the result where FastAPI looks for it
(`Request.json()` caches it): a validated model, which FastAPI's own validation then accepts
as it is (pydantic does not validate an instance of the model again). A body that is not valid
JSON is left to FastAPI, which answers its usual 422; one that does not fit the model is
answered with the same 422 FastAPI would give, its errors located under `body`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import anyio.to_thread
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from app.api.transaction_route import TransactionRoute

# Below this a body parses in well under a millisecond: not worth a thread's round trip.
OFF_LOOP_BYTES = 64 * 1024


class JSONOffTheLoop(TransactionRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        model = _single_body_model(self)

        async def parse_then_handle(request: Request) -> Response:
            await parse_large_json(request, model)
            return await handler(request)

        return parse_then_handle


def _single_body_model(route: TransactionRoute) -> TypeAdapter[Any] | None:
    """The body's model when the endpoint takes the whole body as one pydantic model."""
    params = route.dependant.body_params
    if len(params) != 1 or getattr(params[0].field_info, "embed", False):
        return None
    annotation = params[0].field_info.annotation
    if not (isinstance(annotation, type) and hasattr(annotation, "model_validate")):
        return None
    return TypeAdapter(annotation)


async def parse_large_json(request: Request, model: TypeAdapter[Any] | None = None) -> None:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not (content_type == "application/json" or content_type.endswith("+json")):
        return
    body = await request.body()
    if len(body) < OFF_LOOP_BYTES:
        return
    try:
        parsed = await anyio.to_thread.run_sync(json.loads, body)
    except (ValueError, RecursionError):  # not JSON (or too deep): FastAPI answers it
        return
    request._json = parsed
    if model is None:
        return
    try:
        request._json = await anyio.to_thread.run_sync(model.validate_python, parsed)
    except ValidationError as invalid:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in invalid.errors()],
            body=parsed,
        ) from None
