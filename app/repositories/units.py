"""Units, their measurements and import records, each scoped to the organisation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app.models import Indicator, Unit, UnitMeasurement
from app.repositories.base import KeyedRepository, RepositoryBase


@dataclass(frozen=True)
class MeasuredGroup:
    """What the unit measurements of one buurt, indicator and year add up to."""

    neighbourhood: str
    indicator: str
    aggregation: str
    year: int
    measured: int
    total: float
    positive: int


class UnitRepository(KeyedRepository[Unit]):
    model = Unit
    key_column = "vhe"

    def with_measurements(self, vhe: str) -> Unit | None:
        statement = self.scoped().options(selectinload(Unit.measurements))
        row: Unit | None = self.session.scalars(statement.where(Unit.vhe == vhe)).one_or_none()
        return row

    def ids_by_vhe(self, vhes: list[str]) -> dict[str, uuid.UUID]:
        statement = select(Unit.vhe, Unit.id).where(
            Unit.organisation_id == self.organisation_id, Unit.vhe.in_(vhes)
        )
        return dict(self.session.execute(statement).all())

    def counts(self, codes: list[str] | None = None) -> dict[str, tuple[int, int]]:
        """(units, regulated units) per buurt code."""
        statement = select(
            Unit.neighbourhood,
            func.count(),
            func.sum(case((Unit.regulated, 1), else_=0)),
        ).where(Unit.organisation_id == self.organisation_id)
        if codes is not None:
            statement = statement.where(Unit.neighbourhood.in_(codes))
        statement = statement.group_by(Unit.neighbourhood)
        return {code: (units, int(regulated or 0)) for code, units, regulated in
                self.session.execute(statement)}


class UnitMeasurementRepository(RepositoryBase[UnitMeasurement]):
    model = UnitMeasurement

    def groups(
        self, neighbourhood: str | None = None, indicator: str | None = None
    ) -> list[MeasuredGroup]:
        """Per buurt, indicator (those with a unit aggregation) and year: units measured, the
        sum of their values and how many are above 0."""
        statement = (
            select(
                Unit.neighbourhood,
                UnitMeasurement.indicator,
                Indicator.unit_aggregation,
                UnitMeasurement.year,
                func.count(),
                func.sum(UnitMeasurement.value),
                func.sum(case((UnitMeasurement.value > 0, 1), else_=0)),
            )
            .join(Unit, Unit.id == UnitMeasurement.unit_id)
            .join(
                Indicator,
                (Indicator.organisation_id == UnitMeasurement.organisation_id)
                & (Indicator.key == UnitMeasurement.indicator),
            )
            .where(
                UnitMeasurement.organisation_id == self.organisation_id,
                Indicator.unit_aggregation.is_not(None),
            )
        )
        if neighbourhood is not None:
            statement = statement.where(Unit.neighbourhood == neighbourhood)
        if indicator is not None:
            statement = statement.where(UnitMeasurement.indicator == indicator)
        statement = statement.group_by(
            Unit.neighbourhood, UnitMeasurement.indicator, Indicator.unit_aggregation,
            UnitMeasurement.year,
        ).order_by(Unit.neighbourhood, UnitMeasurement.indicator, UnitMeasurement.year)
        return [
            MeasuredGroup(code, key, aggregation, year, measured, float(total), int(positive))
            for code, key, aggregation, year, measured, total, positive in
            self.session.execute(statement)
        ]

    def of_units(self, unit_ids: list[uuid.UUID]) -> dict[tuple[uuid.UUID, str, int],
                                                            tuple[uuid.UUID, float]]:
        """(unit id, indicator, year) → (measurement id, value) of the given units."""
        statement = select(
            UnitMeasurement.unit_id, UnitMeasurement.indicator, UnitMeasurement.year,
            UnitMeasurement.id, UnitMeasurement.value,
        ).where(
            UnitMeasurement.organisation_id == self.organisation_id,
            UnitMeasurement.unit_id.in_(unit_ids),
        )
        return {(unit, key, year): (id, value) for unit, key, year, id, value in
                self.session.execute(statement)}
