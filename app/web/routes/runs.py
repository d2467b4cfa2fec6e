"""A run's pages: the run itself, its presenter view, its downloads, and the fragment a page
polls while the run solves."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from app.api.deps import SessionDep
from app.services.planning import runs
from app.services.run_files import FileFormat, run_file
from app.web.permissions import may_plan
from app.web.routing import WebRoute
from app.web.run_view import explanation_state, run_view
from app.web.session import UserDep
from app.web.templating import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/runs/{run_id}")
def run_page(run_id: uuid.UUID, request: Request, user: UserDep, session: SessionDep
             ) -> Response:
    view = run_view(session, user.principal, run_id)
    return render(request, "run.html", {"user": user, "view": view,
                                        "may_plan": may_plan(user)}, locale=user.locale)


@router.get("/runs/{run_id}/presenter")
def presenter_page(run_id: uuid.UUID, request: Request, user: UserDep, session: SessionDep
                   ) -> Response:
    view = run_view(session, user.principal, run_id)
    return render(request, "presenter.html", {"user": user, "view": view},
                  locale=user.locale)


@router.get("/runs/{run_id}/progress")
def run_progress(run_id: uuid.UUID, request: Request, user: UserDep, session: SessionDep
                 ) -> Response:
    """Polled while a run is queued or running; once it has finished, htmx reloads the page."""
    run = runs.get_run(session, user.principal, run_id)
    state = explanation_state(run)
    if run.state in ("done", "failed", "cancelled") and state != "pending":
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, "fragments/run_progress.html", {"run": run,
                  "explanation_state": state}, locale=user.locale)


def _download(session: SessionDep, user: UserDep, run_id: uuid.UUID,
              file_format: FileFormat) -> Response:
    file = run_file(session, user.principal, run_id, file_format)
    return Response(file.content, media_type=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})


@router.get("/runs/{run_id}/allocations.csv")
def allocations_csv(run_id: uuid.UUID, user: UserDep, session: SessionDep) -> Response:
    return _download(session, user, run_id, "csv")


@router.get("/runs/{run_id}/allocations.xlsx")
def allocations_xlsx(run_id: uuid.UUID, user: UserDep, session: SessionDep) -> Response:
    return _download(session, user, run_id, "xlsx")
