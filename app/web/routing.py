"""Web routes answer in HTML: a missing session redirects to the sign-in form, a domain error
(404, 403, 422, …) becomes an error page with its status, never a problem+json document."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.responses import RedirectResponse

from app.api.transaction_route import TransactionRoute
from app.core.errors import OnderbouwdError
from app.web.session import SignInRequired, sign_in_url
from app.web.templating import render


class WebRoute(TransactionRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as missing:
                target = sign_in_url(missing.next_path)
                if request.headers.get("HX-Request") == "true":
                    return Response(status_code=204, headers={"HX-Redirect": target})
                return RedirectResponse(target, status_code=303)
            except OnderbouwdError as error:
                return error_page(request, error.status, error.title, error.detail,
                                  [e["path"] + ": " + e["message"] for e in error.errors or []])
            except RequestValidationError as invalid:
                fields = [".".join(str(p) for p in e["loc"]) + ": " + e["msg"]
                          for e in invalid.errors()]
                not_found = any(e["loc"] and e["loc"][0] == "path" for e in invalid.errors())
                if not_found:
                    return error_page(request, 404, "Not found", "There is no such page.", [])
                return error_page(request, 422, "Not understood", "The request has errors.",
                                  fields)

        return answer


def error_page(request: Request, status: int, title: str, detail: str,
               errors: list[str]) -> Response:
    return render(request, "error.html",
                  {"status": status, "title": title, "detail": detail, "errors": errors},
                  status_code=status)
