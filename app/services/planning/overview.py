"""Use cases of the workshop pages' lists: each scenario with its latest run, and a scenario's
runs newest first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.security import Principal
from app.models import Run
from app.models import Scenario as ScenarioRow
from app.repositories.runs import RunRepository
from app.repositories.scenarios import ScenarioRepository
from app.schemas.stored import RunSummary, ScenarioSummary
from app.services.planning.runs import run_summary

RECENT_RUNS = 50


@dataclass(frozen=True)
class ScenarioLine:
    scenario: ScenarioSummary
    last_run: RunSummary | None


def scenario_lines(session: Session, principal: Principal) -> list[ScenarioLine]:
    scenarios = ScenarioRepository(session, principal.organisation_id).all_where(
        order_by=ScenarioRow.created_at
    )
    lines = []
    for row in scenarios:
        latest = recent_runs(session, principal, row.id, limit=1)
        lines.append(ScenarioLine(ScenarioSummary.model_validate(row, from_attributes=True),
                                  latest[0] if latest else None))
    return lines


def recent_runs(session: Session, principal: Principal, scenario_id: uuid.UUID,
                limit: int = RECENT_RUNS) -> list[RunSummary]:
    repository = RunRepository(session, principal.organisation_id)
    rows = session.scalars(
        repository.scoped()
        .where(Run.scenario_id == scenario_id)
        .order_by(Run.created_at.desc(), Run.id.desc())
        .limit(limit)
    )
    return [run_summary(row) for row in rows]
