"""Two to four runs side by side; the first is the base."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import SessionDep
from app.services.workshop.comparison import parse_run_ids
from app.web.compare_view import compare_view
from app.web.routing import WebRoute
from app.web.session import UserDep
from app.web.templating import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/compare")
def compare_page(request: Request, user: UserDep, session: SessionDep,
                 runs: str | None = None,
                 run: Annotated[list[str] | None, Query()] = None) -> Response:
    """`?runs=a,b` as in the API, or `?run=a&run=b` as the scenario page's form sends."""
    ids = parse_run_ids(runs if runs is not None else ",".join(run or []))
    view = compare_view(session, user.principal, ids)
    return render(request, "compare.html", {"user": user, "view": view}, locale=user.locale)
