"""Runs put straight into the database, for tests of the queue and the runners."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from app.core.config import Settings
from app.core.db import Database
from app.core.security import Principal, Role
from app.models import Run
from app.schemas.stored import RunStart, ScenarioWrite
from app.services.planning import runs, scenarios
from tests.tenants import Tenant

DESIGN_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "design_example.json"


def design_example() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DESIGN_EXAMPLE.read_text(encoding="utf-8"))
    return document


def queue_runs(database: Database, tenant: Tenant, count: int,
               document: dict[str, Any] | None = None) -> list[uuid.UUID]:
    principal = Principal(organisation_id=tenant.organisation_id, organisation_name=tenant.name,
                          role=Role.planner, actor="test")
    with database.transaction() as session:
        answer = scenarios.create_scenario(
            session, principal, ScenarioWrite.model_validate(
                {"document": document or design_example()}), None)
        scenario_id = uuid.UUID(answer.body["id"])
        unlimited = Settings(org_max_active_runs=10_000)
        return [uuid.UUID(runs.start_run(session, principal, scenario_id, RunStart(),
                                         None, unlimited).body["id"]) for _ in range(count)]


def run_rows(database: Database, ids: list[uuid.UUID]) -> dict[uuid.UUID, Run]:
    with database.sessions() as session:
        return {run_id: session.get_one(Run, run_id) for run_id in ids}
