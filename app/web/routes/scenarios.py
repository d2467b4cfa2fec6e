"""The scenario pages: the list, one scenario with its versions, runs and sweeps, starting a
run."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from starlette.responses import RedirectResponse

from app.api.deps import SessionDep, SettingsDep
from app.schemas.stored import RunStart
from app.services.planning import overview, runs, scenarios
from app.services.workshop import sweeps
from app.web.permissions import require_planner
from app.web.routing import WebRoute
from app.web.session import CsrfChecked, UserDep
from app.web.templating import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/scenarios")
def scenario_list(request: Request, user: UserDep, session: SessionDep) -> Response:
    lines = overview.scenario_lines(session, user.principal)
    return render(request, "scenarios.html", {"user": user, "lines": lines},
                  locale=user.locale)


@router.get("/scenarios/{scenario_id}")
def scenario_page(scenario_id: uuid.UUID, request: Request, user: UserDep,
                  session: SessionDep) -> Response:
    scenario = scenarios.get_scenario(session, user.principal, scenario_id)
    current = scenarios.get_version(session, user.principal, scenario_id,
                                    scenario.current_version)
    recent = overview.recent_runs(session, user.principal, scenario_id)
    return render(request, "scenario.html", {
        "user": user, "scenario": scenario, "runs": recent,
        "sweeps": sweeps.scenario_sweeps(session, user.principal, scenario_id),
        "budget": current.document.get("budget") or {}, "sweeps_enabled": True,
    }, locale=user.locale)


@router.post("/scenarios/{scenario_id}/runs", dependencies=[CsrfChecked])
def start_run(scenario_id: uuid.UUID, user: UserDep, session: SessionDep,
              settings: SettingsDep, version: Annotated[int | None, Form()] = None) -> Response:
    require_planner(user)
    answer = runs.start_run(session, user.principal, scenario_id, RunStart(version=version),
                            None, settings)
    return RedirectResponse(f"/runs/{answer.body['id']}", status_code=303)
