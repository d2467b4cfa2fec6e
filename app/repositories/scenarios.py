"""Stored scenarios and their versions (versions are only ever added)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.models import Scenario, ScenarioVersion
from app.repositories.base import RepositoryBase


class ScenarioRepository(RepositoryBase[Scenario]):
    model = Scenario


class ScenarioVersionRepository(RepositoryBase[ScenarioVersion]):
    model = ScenarioVersion

    def number(self, scenario_id: uuid.UUID, number: int) -> ScenarioVersion | None:
        return self.one_where(
            ScenarioVersion.scenario_id == scenario_id, ScenarioVersion.number == number
        )

    def of(self, scenario_id: uuid.UUID) -> list[ScenarioVersion]:
        return self.all_where(
            ScenarioVersion.scenario_id == scenario_id, order_by=ScenarioVersion.number
        )

    def next_number(self, scenario_id: uuid.UUID) -> int:
        """One past the highest version number (what-if versions count: they are versions
        without being the current one)."""
        highest = self.session.scalar(
            select(func.max(ScenarioVersion.number)).where(
                ScenarioVersion.scenario_id == scenario_id,
                ScenarioVersion.organisation_id == self.organisation_id,
            )
        )
        return int(highest or 0) + 1
