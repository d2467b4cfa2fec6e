"""Use cases: start, read, list and cancel runs. Solving them is the job runner's work."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import Conflict, NotFound
from app.core.security import Principal
from app.models import Run, ScenarioVersion, utcnow
from app.optimizer import scenario_sha256
from app.repositories.runs import RunRepository
from app.repositories.scenarios import ScenarioRepository, ScenarioVersionRepository
from app.schemas.common import Page
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import parse_scenario
from app.schemas.stored import RunOut, RunStart, RunState, RunSummary
from app.services.access import audit
from app.services.interface import idempotency
from app.services.interface.links import run_path
from app.services.interface.pagination import decode_cursor, encode_cursor
from app.services.planning import limits, solving


def start_run(
    session: Session,
    principal: Principal,
    scenario_id: uuid.UUID,
    body: RunStart,
    idempotency_key: str | None,
    settings: Settings,
) -> idempotency.Answer:
    """Queue a run: 404 for a version that is not there, 422 for one too large to solve, 429
    when the organisation has as many solves going as it may."""

    def produce() -> idempotency.Answer:
        version = _version(session, principal, scenario_id, body.version)
        solving.check_document_size(version.document, settings.max_problem_size)
        limits.claim_place(session, principal.organisation_id, settings.org_max_active_runs)
        row = queue_run(session, principal, version)
        audit.record(
            session,
            principal,
            "run.start",
            "run",
            str(row.id),
            changes={"scenario": [None, str(scenario_id)], "version": [None, version.number]},
        )
        return idempotency.Answer(202, run_out(row).model_dump(mode="json"), run_path(row.id))

    request = {"scenario_id": str(scenario_id), "body": body.model_dump(mode="json")}
    return idempotency.once(session, principal, "runs.start", idempotency_key, request, produce)


def queue_run(
    session: Session,
    principal: Principal,
    version: ScenarioVersion,
    *,
    document: dict[str, Any] | None = None,
    start_from_run_id: uuid.UUID | None = None,
    sweep_id: uuid.UUID | None = None,
    sweep_budget: float | None = None,
    explain: bool = True,
) -> Run:
    """A queued run of `version` (its document, or `document`: a sweep point's budget), for
    whatever job runner is there to claim; `explain=False` solves the plan only. The caller
    has checked the limits."""
    if document is None:
        document, digest = version.document, version.scenario_sha256
    else:
        digest = scenario_sha256(parse_scenario(document))
    return RunRepository(session, principal.organisation_id).add(
        Run(
            scenario_id=version.scenario_id,
            version_id=version.id,
            version_number=version.number,
            state="queued",
            document=document,
            scenario_sha256=digest,
            attempts=0,
            cancel_requested=False,
            created_by=principal.actor,
            explanation_state="pending",
            start_from_run_id=start_from_run_id,
            sweep_id=sweep_id,
            sweep_budget=sweep_budget,
            explain=explain,
        )
    )


def get_run(session: Session, principal: Principal, run_id: uuid.UUID) -> RunOut:
    return run_out(_run(session, principal, run_id))


def list_runs(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    scenario_id: uuid.UUID | None = None,
    state: RunState | None = None,
) -> Page[RunSummary]:
    filters = []
    if scenario_id is not None:
        filters.append(Run.scenario_id == scenario_id)
    if state is not None:
        filters.append(Run.state == state)
    rows, more = RunRepository(session, principal.organisation_id).page(
        Run.id, limit, decode_cursor(cursor, "uuid"), filters
    )
    return Page[RunSummary](
        items=[run_summary(row) for row in rows],
        next_cursor=encode_cursor(rows[-1].id) if more else None,
    )


def cancel_run(session: Session, principal: Principal, run_id: uuid.UUID) -> RunOut:
    """A queued run is cancelled at once; a running one when its runner sees the request
    (within a poll interval), which stops the solver process."""
    row = _run(session, principal, run_id)
    if row.state in ("done", "failed"):
        raise Conflict(f"run {run_id} has already finished ({row.state})")
    if row.state == "cancelled" or row.cancel_requested:
        return run_out(row)
    now = utcnow()
    session.execute(
        update(Run)
        .where(Run.id == row.id, Run.state == "queued")
        .values(state="cancelled", cancel_requested=True, finished_at=now),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Run).where(Run.id == row.id, Run.state == "running").values(cancel_requested=True),
        execution_options={"synchronize_session": False},
    )
    audit.record(session, principal, "run.cancel", "run", str(row.id))
    session.refresh(row)
    return run_out(row)


def run_summary(row: Run) -> RunSummary:
    objective = (row.recommendation or {}).get("objective")
    return RunSummary(
        id=row.id,
        scenario_id=row.scenario_id,
        scenario_version=row.version_number,
        state=row.state,  # type: ignore[arg-type]
        status=row.result_status,  # type: ignore[arg-type]
        objective=objective,
        attempts=row.attempts,
        cancel_requested=row.cancel_requested,
        scenario_sha256=row.scenario_sha256,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        explanation_state=row.explanation_state,  # type: ignore[arg-type]
        start_from_run_id=row.start_from_run_id,
        sweep_id=row.sweep_id,
        sweep_budget=row.sweep_budget,
    )


def run_out(row: Run) -> RunOut:
    recommendation = (
        None if row.recommendation is None else Recommendation.model_validate(row.recommendation)
    )
    return RunOut(**run_summary(row).model_dump(), recommendation=recommendation)


def owned_run(session: Session, principal: Principal, run_id: uuid.UUID) -> Run:
    """The organisation's run, or 404."""
    return _run(session, principal, run_id)


def scenario_version(
    session: Session, principal: Principal, scenario_id: uuid.UUID, number: int | None
) -> ScenarioVersion:
    """A version of the organisation's scenario (None: the current one), or 404."""
    return _version(session, principal, scenario_id, number)


def _run(session: Session, principal: Principal, run_id: uuid.UUID) -> Run:
    row = RunRepository(session, principal.organisation_id).get(run_id)
    if row is None:
        raise NotFound(f"no run {run_id}")
    return row


def _version(
    session: Session, principal: Principal, scenario_id: uuid.UUID, number: int | None
) -> ScenarioVersion:
    scenario = ScenarioRepository(session, principal.organisation_id).get(scenario_id)
    if scenario is None:
        raise NotFound(f"no scenario {scenario_id}")
    number = scenario.current_version if number is None else number
    version = ScenarioVersionRepository(session, principal.organisation_id).number(
        scenario.id, number
    )
    if version is None:
        raise NotFound(
            f"scenario {scenario_id} has no version {number} "
            f"(the current one is {scenario.current_version})"
        )
    return version
