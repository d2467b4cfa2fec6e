"""Use cases for operators and the command line: runs counted across organisations, a run or a
budget sweep started on a scenario by id, and where a run or sweep is (for a progress bar)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import NotFound
from app.core.security import Principal
from app.models import Organisation, Run, Scenario, Sweep, utcnow
from app.schemas.stored import RunStart
from app.schemas.workshop import SweepCreate, SweepOut
from app.services.access.keys import cli_principal
from app.services.planning import runs
from app.services.workshop import sweeps


def unfinished_counts(session: Session) -> dict[str, int]:
    """Queued and running runs of all organisations (for the operator's metrics)."""
    counted: dict[str, Any] = dict(
        session.execute(  # type: ignore[arg-type]
            select(Run.state, func.count())
            .where(Run.state.in_(("queued", "running")))
            .group_by(Run.state)
        ).all()
    )
    return {state: int(counted.get(state, 0)) for state in ("queued", "running")}


def start_run_on(session: Session, scenario_id: uuid.UUID, version: int | None,
                 settings: Settings) -> uuid.UUID:
    """Queue a run of a scenario named by id alone, on behalf of its organisation (the command
    line acts for whoever owns the scenario); the organisation's limits apply."""
    answer = runs.start_run(session, _owner(session, scenario_id), scenario_id,
                            RunStart(version=version), None, settings)
    return uuid.UUID(answer.body["id"])


def start_sweep_on(session: Session, scenario_id: uuid.UUID, body: SweepCreate,
                   settings: Settings) -> uuid.UUID:
    """Start a budget sweep of a scenario named by id alone, as `POST /scenarios/{id}/sweeps`
    does for its organisation: the same checks and limits (one place among its solves)."""
    answer = sweeps.create_sweep(session, _owner(session, scenario_id), scenario_id, body,
                                 None, settings)
    return uuid.UUID(str(answer.body["id"]))


def sweep_now(session: Session, sweep_id: uuid.UUID) -> SweepOut:
    """The sweep with its points as they are (any organisation's: the operator's view)."""
    row = session.get(Sweep, sweep_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no sweep {sweep_id}")
    return sweeps.sweep_out(session, row)


def _owner(session: Session, scenario_id: uuid.UUID) -> Principal:
    scenario = session.get(Scenario, scenario_id)
    if scenario is None:
        raise NotFound(f"no scenario {scenario_id}")
    return cli_principal(session.get_one(Organisation, scenario.organisation_id))


@dataclass(frozen=True)
class RunProgress:
    state: str
    attempts: int
    time_limit_s: float
    seconds_running: float
    status: str | None
    objective: float | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")


def run_progress(session: Session, run_id: uuid.UUID, settings: Settings) -> RunProgress:
    row = session.get(Run, run_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no run {run_id}")
    solver = row.document.get("solver") if isinstance(row.document, dict) else None
    limit = (solver or {}).get("time_limit_s", 60) if isinstance(solver, dict) else 60
    running_s = 0.0
    if row.started_at is not None:
        end = row.finished_at or utcnow()
        running_s = max(0.0, (end - row.started_at).total_seconds())
    return RunProgress(
        state=row.state,
        attempts=row.attempts,
        time_limit_s=min(float(limit), settings.max_time_limit_s),
        seconds_running=running_s,
        status=row.result_status,
        objective=(row.recommendation or {}).get("objective"),
        error=row.error,
    )
