"""API shapes of the catalogue. Writes are PUT bodies (the external id is in the path)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import Text
from app.schemas.scenario import (
    DomainScore,
    Homes,
    Intervention,
    Key,
    Limit,
    ScorePoints,
    Year,
)

Direction = Literal["higher_is_better", "higher_is_worse"]
UnitAggregation = Literal["mean", "share", "count"]
Measurement = Annotated[float, Field(ge=-1e9, le=1e9)]


class _Write(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class _Stamps(BaseModel):
    created_at: datetime
    updated_at: datetime


class _Keyed(BaseModel):
    key: str


# Output models list their bases last-first, so that fields read: key, the body, the stamps.


class DomainWrite(_Write):
    label: Text | None = Field(default=None, max_length=200)
    weight: Annotated[float, Field(strict=True, ge=0, le=1e3)] = 1.0
    target: ScorePoints = Field(default=0.0, description="Target domain score (0 = reference).")


class DomainOut(_Stamps, DomainWrite, _Keyed):
    pass


class IndicatorWrite(_Write):
    label: Text | None = Field(default=None, max_length=200)
    domain: Key | None = Field(
        default=None, description="Domain whose score it feeds; left out = kept as history only."
    )
    direction: Direction
    unit: Text | None = Field(default=None, max_length=100)
    source: Text | None = Field(default=None, max_length=500)
    reference_value: Measurement | None = Field(
        default=None,
        description="Published reference level (e.g. national); left out = the "
        "mean over the organisation's neighbourhoods in the latest year measured.",
    )
    reference_spread: Annotated[float, Field(strict=True, gt=0, le=1e9)] | None = Field(
        default=None,
        description="Published spread (one standard deviation); left out = the "
        "population standard deviation over the organisation's neighbourhoods in that year.",
    )
    unit_aggregation: UnitAggregation | None = Field(
        default=None,
        description="How measurements of rentable units (`POST /api/v1/units/measurements`) "
        "become the buurt's value of a year: `mean` = the mean over the buurt's units measured "
        "that year (a satisfaction mark); `share` = the percentage of the buurt's units whose "
        "value that year is above 0 (units in rent arrears); `count` = the sum over the "
        "buurt's units per 100 units (nuisance reports per 100 units). Units without a "
        "measurement count as 0 for `share` and `count`. Left out = not measured per unit.",
    )


class IndicatorOut(_Stamps, IndicatorWrite, _Keyed):
    pass


class IndicatorValue(_Write):
    indicator: Key
    year: Year
    value: Measurement


class NeighbourhoodWrite(_Write):
    name: Text | None = Field(default=None, max_length=200)
    district: Text | None = Field(default=None, max_length=200)
    municipality: Text | None = Field(default=None, max_length=200)
    homes: Homes
    regulated_homes: Homes = 0.0
    indicator_values: list[IndicatorValue] | None = Field(
        default=None,
        description="Every measurement of this neighbourhood; replaces those "
        "stored. Left out: the stored measurements stay as they are.",
    )


class AdjustmentWrite(_Write):
    delta: ScorePoints = Field(description="Added to the domain score (standard deviations).")
    rationale: Text = Field(
        min_length=1,
        max_length=5000,
        description="Why: kept with the adjustment and in the audit log.",
    )


class _Domain(BaseModel):
    domain: str


class AdjustmentOut(_Stamps, AdjustmentWrite, _Domain):
    pass


class _NeighbourhoodFields(BaseModel):
    code: str
    name: str | None = None
    district: str | None = None
    municipality: str | None = None
    homes: float
    regulated_homes: float


class NeighbourhoodSummary(_Stamps, _NeighbourhoodFields):
    pass


class _Measured(BaseModel):
    indicator_values: list[IndicatorValue]
    adjustments: list[AdjustmentOut]


class NeighbourhoodOut(_Stamps, _Measured, _NeighbourhoodFields):
    pass


class NeighbourhoodScoresOut(BaseModel):
    code: str
    scores: dict[str, DomainScore] = Field(
        description="Domain scores from the indicators, staff adjustments included."
    )


class InterventionWrite(Intervention):
    key: Key | None = Field(  # type: ignore[assignment]
        default=None, description="Optional; when given, equals the path's."
    )
    evidence_level: str | None = Field(
        default=None,
        max_length=100,
        description="E.g. effective / promising / theoretically sound.",
    )


class _Evidence(BaseModel):
    evidence_level: str | None = None


class InterventionOut(_Stamps, _Evidence, Intervention):
    pass


class PartnerWrite(_Write):
    name: Text | None = Field(default=None, max_length=200)
    budget: Limit = Field(default_factory=Limit)


class PartnerOut(_Stamps, PartnerWrite, _Keyed):
    pass
