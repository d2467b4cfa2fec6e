"""Runs written straight into the database with hand-made plans, for tests whose answers are
known by construction (no solve involved)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from sqlalchemy import select

from app.core.db import Database
from app.models import Run, ScenarioVersion

SOLVER = {"name": "highs", "solver_version": "HiGHS", "pulp_version": "3",
          "time_limit_s": 60.0, "mip_gap": 0.0}


def allocation(intervention: str, neighbourhood: str, start_year: int,
               corporation_cost: float = 1000.0) -> dict[str, Any]:
    return {"intervention": intervention, "neighbourhood": neighbourhood,
            "neighbourhood_name": f"name of {neighbourhood}", "start_year": start_year,
            "run_years": [start_year], "effect_years": [start_year],
            "total_cost": corporation_cost, "corporation_cost": corporation_cost,
            "partner_contributions": {}, "primary_domain": "nuisance_safety", "value": 1.0,
            "value_per_corporation_euro": 0.001}


def spend(per_year: list[tuple[int, float, float | None]]) -> dict[str, Any]:
    return {"corporation_total": sum(amount for _, amount, _ in per_year),
            "corporation_limit": None, "partners_total": 0.0,
            "cost_total": sum(amount for _, amount, _ in per_year),
            "per_year": [{"year": y, "corporation": a, "limit": limit}
                         for y, a, limit in per_year],
            "per_domain": [], "per_partner": [], "per_neighbourhood": [], "per_area": [],
            "per_resource": []}


def improvement(neighbourhood: str, domain: str, year: int, gap: float,
                gap_closed: float) -> dict[str, Any]:
    return {"neighbourhood": neighbourhood, "domain": domain, "year": year,
            "without_plan": -gap, "with_plan": -gap + gap_closed, "gap": gap,
            "gap_closed": gap_closed}


def recommendation(objective: float, allocations: list[dict[str, Any]],
                   spend_: dict[str, Any] | None = None,
                   improvements: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"status": "optimal", "objective": objective, "bound": objective, "gap": 0.0,
            "scenario_sha256": "0" * 64, "solver": copy.deepcopy(SOLVER),
            "allocations": allocations, "spend": spend_, "improvements": improvements or []}


def insert_run(database: Database, organisation_id: uuid.UUID, scenario_id: str,
               document: dict[str, Any], answer: dict[str, Any] | None,
               state: str = "done") -> str:
    """A run of version 1 of the scenario, with `document` as its snapshot."""
    with database.transaction() as session:
        version = session.scalars(select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == uuid.UUID(scenario_id),
            ScenarioVersion.number == 1)).one()
        row = Run(organisation_id=organisation_id, scenario_id=version.scenario_id,
                  version_id=version.id, version_number=1, state=state, document=document,
                  scenario_sha256="0" * 64, attempts=1, cancel_requested=False,
                  result_status=None if answer is None else answer["status"],
                  recommendation=answer, explanation_state="skipped")
        session.add(row)
        session.flush()
        return str(row.id)
