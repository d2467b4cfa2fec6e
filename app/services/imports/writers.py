"""Per kind: the references a batch of valid rows must meet (buurten, indicators, units that
exist), and the table rows they become, upserted in bulk by external id."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Indicator,
    IndicatorValue,
    Intervention,
    Neighbourhood,
    Partner,
    Unit,
    UnitMeasurement,
)
from app.models.base import TenantMixin
from app.repositories import bulk
from app.repositories.units import UnitRepository
from app.schemas.catalogue import InterventionWrite, PartnerWrite
from app.services.catalogue.entries import intervention_state, partner_state
from app.services.imports.cells import Problem
from app.services.imports.kinds import ImportKind

Numbered = list[tuple[int, Any]]  # (row number, the validated row)


@dataclass
class References:
    """What the organisation's catalogue holds, read once per import as a kind needs it."""

    session: Session
    organisation_id: uuid.UUID
    _neighbourhoods: dict[str, uuid.UUID] | None = None
    _indicators: dict[str, str | None] | None = None
    units: UnitRepository = field(init=False)

    def __post_init__(self) -> None:
        self.units = UnitRepository(self.session, self.organisation_id)

    @property
    def neighbourhoods(self) -> dict[str, uuid.UUID]:
        if self._neighbourhoods is None:
            statement = select(Neighbourhood.code, Neighbourhood.id).where(
                Neighbourhood.organisation_id == self.organisation_id)
            self._neighbourhoods = dict(self.session.execute(statement).all())
        return self._neighbourhoods

    @property
    def indicators(self) -> dict[str, str | None]:
        """Indicator key → its unit aggregation."""
        if self._indicators is None:
            statement = select(Indicator.key, Indicator.unit_aggregation).where(
                Indicator.organisation_id == self.organisation_id)
            self._indicators = dict(self.session.execute(statement).all())
        return self._indicators


@dataclass(frozen=True)
class Writer:
    model: type[TenantMixin]
    keys: tuple[str, ...]
    stamped: bool
    # (references, batch) → (table rows, problems); rows with problems are left out
    prepare: Callable[[References, Numbered], tuple[list[dict[str, Any]], list[Problem]]]


def _fields(*names: str) -> Callable[[References, Numbered],
                                     tuple[list[dict[str, Any]], list[Problem]]]:
    def prepare(_: References, batch: Numbered) -> tuple[list[dict[str, Any]], list[Problem]]:
        return [{name: getattr(row, name) for name in names} for _, row in batch], []

    return prepare


def _stated(key: str, state: Callable[[Any], dict[str, Any]]
            ) -> Callable[[References, Numbered], tuple[list[dict[str, Any]], list[Problem]]]:
    def prepare(_: References, batch: Numbered) -> tuple[list[dict[str, Any]], list[Problem]]:
        return [{key: getattr(row, key), **state(row)} for _, row in batch], []

    return prepare


def _no_buurt(number: int, code: str) -> Problem:
    return Problem(number, "neighbourhood", code,
                   f"no neighbourhood {code!r} in the catalogue; import it first "
                   "(kind=neighbourhoods)")


def _units(references: References, batch: Numbered
           ) -> tuple[list[dict[str, Any]], list[Problem]]:
    rows, problems = [], []
    for number, row in batch:
        if row.neighbourhood not in references.neighbourhoods:
            problems.append(_no_buurt(number, row.neighbourhood))
            continue
        rows.append({"vhe": row.vhe, "neighbourhood": row.neighbourhood,
                     "regulated": row.regulated, "complex_id": row.complex_id})
    return rows, problems


def _measurements(references: References, batch: Numbered
                  ) -> tuple[list[dict[str, Any]], list[Problem]]:
    rows, problems = [], []
    for number, row in batch:
        buurt = references.neighbourhoods.get(row.neighbourhood)
        if buurt is None:
            problems.append(_no_buurt(number, row.neighbourhood))
        if row.indicator not in references.indicators:
            problems.append(Problem(number, "indicator", row.indicator,
                                    f"no indicator {row.indicator!r} in the catalogue"))
        elif buurt is not None:
            rows.append({"neighbourhood_id": buurt, "indicator": row.indicator,
                         "year": row.year, "value": row.value})
    return rows, problems


def _unit_measurements(references: References, batch: Numbered
                       ) -> tuple[list[dict[str, Any]], list[Problem]]:
    ids = references.units.ids_by_vhe(list({row.unit for _, row in batch}))
    rows, problems = [], []
    for number, row in batch:
        unit = ids.get(row.unit)
        if unit is None:
            problems.append(Problem(number, "unit", row.unit,
                                    f"no unit {row.unit!r}; import it first (kind=units)"))
        if references.indicators.get(row.indicator) is None:
            problems.append(Problem(number, "indicator", row.indicator,
                                    f"no indicator {row.indicator!r} with a unit_aggregation "
                                    "in the catalogue"))
        elif unit is not None:
            rows.append({"unit_id": unit, "indicator": row.indicator, "year": row.year,
                         "value": row.value})
    return rows, problems


def _intervention(row: BaseModel) -> dict[str, Any]:
    assert isinstance(row, InterventionWrite)
    return intervention_state(row)


def _partner(row: BaseModel) -> dict[str, Any]:
    assert isinstance(row, PartnerWrite)
    return partner_state(row)


WRITERS: dict[ImportKind, Writer] = {
    ImportKind.neighbourhoods: Writer(
        Neighbourhood, ("code",), True,
        _fields("code", "name", "district", "municipality", "homes", "regulated_homes")),
    ImportKind.indicators: Writer(
        Indicator, ("key",), True,
        _fields("key", "label", "domain", "direction", "unit", "source", "reference_value",
                "reference_spread", "unit_aggregation")),
    ImportKind.measurements: Writer(
        IndicatorValue, ("neighbourhood_id", "indicator", "year"), False, _measurements),
    ImportKind.units: Writer(Unit, ("vhe",), True, _units),
    ImportKind.unit_measurements: Writer(
        UnitMeasurement, ("unit_id", "indicator", "year"), False, _unit_measurements),
    ImportKind.interventions: Writer(Intervention, ("key",), True,
                                     _stated("key", _intervention)),
    ImportKind.partners: Writer(Partner, ("key",), True, _stated("key", _partner)),
}


def write_batch(
    session: Session,
    references: References,
    kind: ImportKind,
    batch: Numbered,
    *,
    write: bool,
) -> tuple[bulk.Counts, list[Problem]]:
    writer = WRITERS[kind]
    rows, problems = writer.prepare(references, batch)
    counts = bulk.upsert(session, writer.model, references.organisation_id, writer.keys, rows,
                         write=write and not problems, stamped=writer.stamped)
    return counts, problems
