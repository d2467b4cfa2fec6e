"""A pure ASGI middleware around every request: its request id (the client's `X-Request-ID`,
or a new one, sent back in the response) bound to every log line written while it is served, and
its Prometheus metrics (count by method, route template and status; latency by route)."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = structlog.get_logger("onderbouwd.access")

REQUEST_ID_HEADER = b"x-request-id"
# A client's id is kept only when it is short and plain (it goes into every log line).
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
UNMATCHED_ROUTE = "unmatched"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            candidate = value.decode("latin-1")
            if _CLIENT_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestObservability:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []),
                                      (REQUEST_ID_HEADER, request_id.encode("latin-1"))]
            await send(message)

        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=request_id,
                                                     organisation_id=None, run_id=None):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = getattr(scope.get("route"), "path", UNMATCHED_ROUTE)
                method = scope.get("method", "")
                seconds = time.perf_counter() - started
                HTTP_REQUESTS.labels(method=method, route=route,
                                     status=str(status["code"])).inc()
                HTTP_LATENCY.labels(method=method, route=route).observe(seconds)
                log.info("request", method=method, path=scope.get("path", ""), route=route,
                         status=status["code"], seconds=round(seconds, 4))
