"""A pure ASGI middleware that refuses request bodies over a size limit with a 413 problem.

A declared `Content-Length` over the limit is refused before anything is read. Bodies without
one (chunked transfer) are counted while they stream in; once the count passes the limit the
application stops reading, whatever it would have answered is dropped, and the client gets 413.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem_response
from app.core.errors import PayloadTooLarge


class _BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(
        self, app: ASGIApp, max_body_bytes: int, path_limits: dict[str, int] | None = None
    ) -> None:
        """`path_limits`: another limit for the paths under a prefix (file uploads)."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit)
            return

        received = 0
        exceeded = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded and not response_started:
                return  # the application's answer to a truncated body is replaced below
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded or response_started:
                raise
        if exceeded and not response_started:
            await self._refuse(scope, receive, send, limit)

    def _limit(self, path: str) -> int:
        for prefix, limit in self.path_limits.items():
            if path.startswith(prefix):
                return limit
        return self.max_body_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            PayloadTooLarge(limit),
            scope.get("path", ""),
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
