"""API shapes of rentable units (VHE), their measurements and what they add up to per buurt."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.schemas.catalogue import Measurement
from app.schemas.scenario import Key, Year

BUURT_CODE = re.compile(r"BU\d{8}")
MAX_MEASUREMENTS_PER_REQUEST = 10_000  # more at once: POST /api/v1/imports?kind=unit_measurements


def _buurt_code(code: str) -> str:
    if not BUURT_CODE.fullmatch(code):
        raise ValueError(f"{code!r} is not a CBS buurt code: `BU` and 8 digits, e.g. BU03440831")
    return code


BuurtCode = Annotated[
    str,
    AfterValidator(_buurt_code),
    Field(description="CBS buurt code: `BU` and 8 digits, e.g. `BU03440831`; the buurt must "
          "be in the catalogue."),
]


class _Write(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class UnitWrite(_Write):
    neighbourhood: BuurtCode
    regulated: bool = Field(description="Regulated (DAEB) unit: counts toward `regulated_homes`.")
    complex_id: str | None = Field(
        default=None, max_length=200, description="Your complex or cluster id, if any."
    )


class _Stamps(BaseModel):
    created_at: datetime
    updated_at: datetime


class _Vhe(BaseModel):
    vhe: str = Field(description="The unit's id in your system (VHE number).")


class UnitSummary(_Stamps, UnitWrite, _Vhe):
    pass


class UnitValue(BaseModel):
    indicator: str
    year: int
    value: float


class _Measurements(BaseModel):
    measurements: list[UnitValue]


class UnitOut(_Stamps, _Measurements, UnitWrite, _Vhe):
    pass


class UnitMeasurement(_Write):
    unit: Key = Field(description="The unit's VHE id.")
    indicator: Key = Field(description="An indicator with a `unit_aggregation`.")
    year: Year
    value: Measurement


class UnitMeasurementsWrite(_Write):
    measurements: list[UnitMeasurement] = Field(
        min_length=1,
        max_length=MAX_MEASUREMENTS_PER_REQUEST,
        description="Upserted by (unit, indicator, year); the rest stay as they are.",
    )


class WriteCounts(BaseModel):
    created: int
    updated: int
    unchanged: int


class UnitAggregate(BaseModel):
    neighbourhood: str
    indicator: str
    year: int
    aggregation: str = Field(description="The indicator's `unit_aggregation`.")
    value: float = Field(description="The buurt's value, as the normalisation reads it.")
    units: int = Field(description="The buurt's units (the denominator of share and count).")
    measured: int = Field(description="Units with a measurement that year.")


class UnitAggregates(BaseModel):
    items: list[UnitAggregate]


class HomesFromUnits(_Write):
    neighbourhoods: list[BuurtCode] | None = Field(
        default=None,
        max_length=20_000,
        description="Codes; left out = every buurt that has units.",
    )


class DerivedHomes(BaseModel):
    code: str
    homes: float = Field(description="Now: the buurt's units.")
    regulated_homes: float = Field(description="Now: its regulated (DAEB) units.")
    homes_before: float
    regulated_homes_before: float


class HomesDerived(BaseModel):
    items: list[DerivedHomes]
