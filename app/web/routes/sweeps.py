"""Budget sweeps from the pages: start one from a scenario, watch its frontier fill in, open
each point's run, download the frontier."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from starlette.responses import RedirectResponse

from app.api.deps import SessionDep, SettingsDep
from app.api.jobs import wake_runner
from app.core.errors import ValidationFailed
from app.schemas.workshop import BudgetRange, SweepCreate
from app.services.planning import scenarios
from app.services.run_files.workshop import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    frontier_csv,
    frontier_xlsx,
)
from app.services.workshop import sweeps
from app.web.charts import frontier
from app.web.permissions import may_plan, require_planner
from app.web.routing import WebRoute
from app.web.session import CsrfChecked, UserDep
from app.web.templating import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.post("/scenarios/{scenario_id}/sweeps", dependencies=[CsrfChecked])
def start_sweep(scenario_id: uuid.UUID, request: Request, user: UserDep, session: SessionDep,
                settings: SettingsDep, budget_from: Annotated[float, Form()],
                budget_to: Annotated[float, Form()], steps: Annotated[int, Form()]
                ) -> Response:
    require_planner(user)
    try:
        body = SweepCreate(budget=BudgetRange.model_validate(
            {"from": budget_from, "to": budget_to, "steps": steps}))
    except ValueError as invalid:
        raise ValidationFailed(f"the sweep's budgets: {invalid}", errors=[
            {"path": "budget", "message": str(invalid)}]) from None
    answer = sweeps.create_sweep(session, user.principal, scenario_id, body, None, settings)
    wake_runner(request)
    return RedirectResponse(f"/sweeps/{answer.body['id']}", status_code=303)


@router.get("/sweeps/{sweep_id}")
def sweep_page(sweep_id: uuid.UUID, request: Request, user: UserDep, session: SessionDep
               ) -> Response:
    sweep = sweeps.get_sweep(session, user.principal, sweep_id)
    scenario = scenarios.get_scenario(session, user.principal, sweep.scenario_id)
    return render(request, "sweep.html", {
        "user": user, "sweep": sweep, "scenario": scenario, "may_plan": may_plan(user),
        "frontier_chart": frontier(sweep)}, locale=user.locale)


@router.get("/sweeps/{sweep_id}/progress")
def sweep_progress(sweep_id: uuid.UUID, request: Request, user: UserDep, session: SessionDep
                   ) -> Response:
    """Polled while the sweep runs: points done / total; a reload once it has ended."""
    sweep = sweeps.get_sweep(session, user.principal, sweep_id)
    if sweep.state != "running":
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, "fragments/sweep_progress.html", {"sweep": sweep},
                  locale=user.locale)


@router.post("/sweeps/{sweep_id}/cancel", dependencies=[CsrfChecked])
def cancel_sweep(sweep_id: uuid.UUID, user: UserDep, session: SessionDep) -> Response:
    require_planner(user)
    sweeps.cancel_sweep(session, user.principal, sweep_id)
    return RedirectResponse(f"/sweeps/{sweep_id}", status_code=303)


@router.get("/sweeps/{sweep_id}/frontier.csv")
def sweep_csv(sweep_id: uuid.UUID, user: UserDep, session: SessionDep) -> Response:
    sweep = sweeps.get_sweep(session, user.principal, sweep_id)
    return Response(frontier_csv(sweep), media_type=CSV_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="onderbouwd-sweep-{sweep_id}.csv"'})


@router.get("/sweeps/{sweep_id}/frontier.xlsx")
def sweep_xlsx(sweep_id: uuid.UUID, user: UserDep, session: SessionDep) -> Response:
    sweep = sweeps.get_sweep(session, user.principal, sweep_id)
    return Response(frontier_xlsx(sweep), media_type=XLSX_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="onderbouwd-sweep-{sweep_id}.xlsx"'})
