"""The kinds of rows an import takes: each a row model built on the catalogue's own write
schemas (so a row is valid exactly when the same entity sent to its `PUT` would be), its
external id, and an example row for the templates.

In CSV and XLSX a nested field is a column with a dotted name (`cost.fixed`,
`budget.per_year`); a cell holding a list or an object is written as JSON (`[30000, 25000]`,
`{"safety": 0.1}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, get_args

from pydantic import BaseModel, Field

from app.schemas.catalogue import (
    IndicatorValue,
    IndicatorWrite,
    InterventionWrite,
    NeighbourhoodWrite,
    PartnerWrite,
)
from app.schemas.scenario import Key
from app.schemas.units import UnitMeasurement, UnitWrite


class ImportKind(StrEnum):
    neighbourhoods = "neighbourhoods"
    indicators = "indicators"
    measurements = "measurements"
    units = "units"
    unit_measurements = "unit_measurements"
    interventions = "interventions"
    partners = "partners"


class NeighbourhoodRow(NeighbourhoodWrite):
    code: Key
    # Measurements are rows of their own kind (`measurements`), never replaced wholesale here.
    indicator_values: None = Field(default=None, exclude=True)  # type: ignore[assignment]


class IndicatorRow(IndicatorWrite):
    key: Key


class MeasurementRow(IndicatorValue):
    neighbourhood: Key


class UnitRow(UnitWrite):
    vhe: Key


class InterventionRow(InterventionWrite):
    key: Key  # type: ignore[assignment]


class PartnerRow(PartnerWrite):
    key: Key


@dataclass(frozen=True)
class Kind:
    name: ImportKind
    model: type[BaseModel]
    keys: tuple[str, ...]  # the row's external id
    columns: tuple[str, ...]  # the template's columns, in order
    example: dict[str, Any]

    @property
    def text_columns(self) -> frozenset[str]:
        """Columns whose field is text: a number in such a cell is read as its digits."""
        return frozenset(
            name for name, field in self.model.model_fields.items()
            if field.annotation is str or set(get_args(field.annotation)) == {str, type(None)}
        )

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(name for name, field in self.model.model_fields.items()
                     if field.is_required())


KINDS: dict[ImportKind, Kind] = {
    kind.name: kind
    for kind in (
        Kind(ImportKind.neighbourhoods, NeighbourhoodRow, ("code",),
             ("code", "name", "district", "municipality", "homes", "regulated_homes"),
             {"code": "BU03440831", "name": "Kanaleneiland-Zuid", "district": "Zuidwest",
              "municipality": "Utrecht", "homes": 3675, "regulated_homes": 1985}),
        Kind(ImportKind.indicators, IndicatorRow, ("key",),
             ("key", "label", "domain", "direction", "unit", "source", "reference_value",
              "reference_spread", "unit_aggregation"),
             {"key": "rent_arrears", "label": "Units in rent arrears",
              "domain": "rent_arrears", "direction": "higher_is_worse", "unit": "%",
              "source": "ERP", "reference_value": 4.0, "reference_spread": 2.0,
              "unit_aggregation": "share"}),
        Kind(ImportKind.measurements, MeasurementRow, ("neighbourhood", "indicator", "year"),
             ("neighbourhood", "indicator", "year", "value"),
             {"neighbourhood": "BU03440831", "indicator": "lbm_onv", "year": 2024,
              "value": -0.12}),
        Kind(ImportKind.units, UnitRow, ("vhe",),
             ("vhe", "neighbourhood", "regulated", "complex_id"),
             {"vhe": "100231", "neighbourhood": "BU03440831", "regulated": True,
              "complex_id": "C-0412"}),
        Kind(ImportKind.unit_measurements, UnitMeasurement, ("unit", "indicator", "year"),
             ("unit", "indicator", "year", "value"),
             {"unit": "100231", "indicator": "rent_arrears", "year": 2025, "value": 412.5}),
        Kind(ImportKind.interventions, InterventionRow, ("key",),
             ("key", "name", "domain", "effects", "cost.fixed", "cost.per_home",
              "duration_years", "lag_years", "effect_persists", "partner_contributions", "uses",
              "eligible", "exclusive_group", "requires", "max_per_neighbourhood", "max_total",
              "counts_toward_cap", "evidence_level"),
             {"key": "caretaker", "name": "Buurtbeheerder", "domain": "nuisance_safety",
              "effects": {"nuisance_safety": 0.15, "social_cohesion": 0.05},
              "cost.fixed": 65000, "cost.per_home": 0, "duration_years": 3, "lag_years": 0,
              "effect_persists": False,
              "partner_contributions": [{"partner": "municipality", "share": 0.25}],
              "uses": {"staff_fte": 1.0}, "eligible": None, "exclusive_group": None,
              "requires": [], "max_per_neighbourhood": 1, "max_total": None,
              "counts_toward_cap": True, "evidence_level": "promising"}),
        Kind(ImportKind.partners, PartnerRow, ("key",),
             ("key", "name", "budget.total", "budget.per_year"),
             {"key": "municipality", "name": "Gemeente", "budget.total": 400000,
              "budget.per_year": None}),
    )
}
