"""Sign in with an API key, sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from starlette.responses import RedirectResponse

from app.api.deps import DatabaseDep
from app.core.errors import Unauthorized
from app.services.access.web_sign_in import sign_in
from app.web.routing import WebRoute
from app.web.session import CsrfChecked, forget, remember, safe_next
from app.web.templating import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/")
def start_page() -> Response:
    return RedirectResponse("/scenarios", status_code=303)


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    return render(request, "sign_in.html", {"next": safe_next(next), "message": None})


@router.post("/sign-in", dependencies=[CsrfChecked])
def sign_in_post(request: Request, database: DatabaseDep, key: Annotated[str, Form()] = "",
                 next: Annotated[str, Form()] = "/scenarios") -> Response:  # noqa: A002
    try:
        with database.read_transaction() as session:
            user = sign_in(session, key)
    except Unauthorized as refused:
        return render(request, "sign_in.html", {"next": safe_next(next),
                                                "message": refused.detail}, status_code=401)
    remember(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/sign-out", dependencies=[CsrfChecked])
def sign_out(request: Request) -> Response:
    forget(request)
    return RedirectResponse("/sign-in", status_code=303)
