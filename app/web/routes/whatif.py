"""The run page's what-if panel: the form becomes a merge patch, the what-if service solves it
from the run's plan, and the panel shows what changed (or that it is still solving)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import DatabaseDep, SettingsDep
from app.api.jobs import wake_runner
from app.core.errors import OnderbouwdError
from app.schemas.scenario import ScenarioInvalid
from app.services.workshop import whatif
from app.services.workshop.whatif import MERGE_PATCH
from app.web.labels import Labels
from app.web.permissions import require_planner
from app.web.routing import WebRoute
from app.web.run_view import run_document
from app.web.session import CsrfChecked, UserDep
from app.web.templating import render
from app.web.whatif_form import WhatIfForm, whatif_patch

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# How long the panel's post waits for the plan before it answers "solving…" and polls.
PANEL_WAIT_S = 8.0


@router.post("/runs/{run_id}/whatif", dependencies=[CsrfChecked])
async def whatif_post(run_id: uuid.UUID, request: Request, user: UserDep,
                      database: DatabaseDep, settings: SettingsDep) -> Response:
    require_planner(user)
    data = await request.form()
    years = sorted(int(k.removeprefix("budget_")) for k in data if
                   k.startswith("budget_") and k.removeprefix("budget_").isdigit())
    form = WhatIfForm(
        keep_locks=[str(v) for v in data.getlist("keep_lock")],
        leave_out=[str(v) for v in data.getlist("leave_out")],
        force_in=str(data.get("force_in") or ""),
        budgets={year: str(data.get(f"budget_{year}") or "") for year in years},
        max_neighbourhood_share=str(data.get("max_neighbourhood_share") or ""),
    )
    return await _answer(request, user, database, settings, run_id, form)


async def _answer(request: Request, user: UserDep, database: DatabaseDep,
                  settings: SettingsDep, run_id: uuid.UUID, form: WhatIfForm) -> Response:
    def start() -> uuid.UUID | None:
        with database.read_transaction() as session:
            document = run_document(session, user.principal, run_id)
        patch = whatif_patch(document, form)
        if not patch:
            return None
        with database.transaction() as session:
            return whatif.start_whatif(session, user.principal, run_id, patch, MERGE_PATCH,
                                       settings)

    try:
        new_run = await run_in_threadpool(start)
    except ScenarioInvalid as invalid:
        return _problem(request, user, "The change makes the scenario invalid",
                        [f"{e['path']}: {e['message']}" for e in invalid.errors])
    except OnderbouwdError as error:
        if error.status == 404:
            raise
        return _problem(request, user, error.detail,
                        [f"{e['path']}: {e['message']}" for e in error.errors or []])
    if new_run is None:
        return _problem(request, user, "Change a lock, a year's budget or the rule first.", [])
    wake_runner(request)
    return await run_in_threadpool(_result, request, user, database, new_run, PANEL_WAIT_S)


@router.get("/runs/{run_id}/whatif-answer")
def whatif_answer(run_id: uuid.UUID, request: Request, user: UserDep,
                  database: DatabaseDep) -> Response:
    """Polled by the panel while a what-if solves."""
    return _result(request, user, database, run_id, 0.0)


def _result(request: Request, user: UserDep, database: DatabaseDep, run_id: uuid.UUID,
            wait_s: float) -> Response:
    answer = whatif.await_whatif(database, user.principal, run_id, wait_s)
    comparison = answer.body.comparison
    labels = Labels()
    if comparison is not None:
        with database.read_transaction() as session:
            labels = Labels.of(run_document(session, user.principal, run_id))
    return render(request, "fragments/whatif_result.html", {
        "user": user, "answer": answer.body, "solving": answer.status_code == 202,
        "comparison": comparison, "L": labels}, locale=user.locale)


def _problem(request: Request, user: UserDep, message: str, errors: list[str]) -> Response:
    return render(request, "fragments/whatif_problem.html",
                  {"message": message, "errors": errors}, locale=user.locale, status_code=422)
