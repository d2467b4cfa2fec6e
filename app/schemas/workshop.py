"""API shapes of the workshop side: comparisons of runs, what-if re-solves and budget sweeps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas.common import Number, VersionNumber
from app.schemas.recommendation import Status
from app.schemas.stored import RunOut, RunState

# A sweep solves at most this many budgets: each is a full solve, and a frontier of more
# points than a chart can show buys nothing in a workshop.
MAX_SWEEP_POINTS = 50
MIN_COMPARED_RUNS = 2
MAX_COMPARED_RUNS = 4


class FundedRun(BaseModel):
    """A funded candidate: one intervention in one neighbourhood from one start year."""

    intervention: str
    neighbourhood: str
    neighbourhood_name: str | None = None
    start_year: int


class RunHeadline(BaseModel):
    run_id: uuid.UUID
    scenario_id: uuid.UUID
    scenario_version: int
    state: RunState
    status: Status | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    corporation_spend: float | None = Field(
        default=None, description="The corporation's part over the horizon."
    )
    corporation_limit: float | None = Field(
        default=None, description="`budget.total` of the run's document (null: no limit)."
    )


class SpendCell(BaseModel):
    amount: float | None = Field(description="Null when this run has no such line.")
    limit: float | None = None


class SpendLine(BaseModel):
    """One spend figure across the runs: `line` is corporation_total, year, domain, partner
    or area; `key` whose it is (a domain or partner key, `municipality/district` for an
    area, empty otherwise); `year` the calendar year (null for a total over the horizon)."""

    line: Literal["corporation_total", "year", "domain", "partner", "area"]
    key: str
    year: int | None = None
    runs: list[SpendCell] = Field(description="One per compared run, in their order.")


class RunOnly(BaseModel):
    run_id: uuid.UUID
    allocations: list[FundedRun]


class InSome(BaseModel):
    allocation: FundedRun
    run_ids: list[uuid.UUID]


class Moved(BaseModel):
    intervention: str
    neighbourhood: str
    neighbourhood_name: str | None = None
    start_years: list[list[int]] = Field(
        description="Per compared run (in their order), the start years it funds this pair in."
    )


class AllocationComparison(BaseModel):
    in_all: list[FundedRun] = Field(description="Funded by every run.")
    only_in: list[RunOnly] = Field(
        description="Per run: funded by it and by no other (pairs that moved are in `moved`)."
    )
    in_some: list[InSome] = Field(
        default_factory=list,
        description="With 3 or 4 runs: funded by more than one run but not by all.",
    )
    moved: list[Moved] = Field(
        description="The same intervention in the same neighbourhood, funded by every run "
        "but from other start years."
    )


class ImprovementComparison(BaseModel):
    neighbourhood: str
    domain: str
    gap_closed: list[float | None] = Field(
        description="Per run: the credited improvement summed over the horizon (null: the "
        "run's scenario has no such cell)."
    )
    need: list[float | None] = Field(
        description="Per run: the gap without the plan, summed over the horizon."
    )


class Difference(BaseModel):
    path: str = Field(description="JSON path in the scenario document, e.g. budget.per_year[1].")
    values: list[Any] = Field(description="Per run, its value (null where it has none).")


class Comparison(BaseModel):
    base_run_id: uuid.UUID = Field(description="The first run: what the others are read against.")
    runs: list[RunHeadline]
    spend: list[SpendLine]
    allocations: AllocationComparison
    improvements: list[ImprovementComparison]
    differences: list[Difference]


class WhatIfOut(BaseModel):
    run: RunOut
    comparison: Comparison | None = Field(
        default=None,
        description="The new run against its parent (the parent first), once its plan is in.",
    )


class BudgetRange(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Number | None = Field(default=None, alias="from", ge=0, le=1e13)
    to: Number | None = Field(default=None, ge=0, le=1e13)
    steps: int | None = Field(
        default=None, strict=True, ge=2, le=MAX_SWEEP_POINTS, description="Points, ends included."
    )
    values: list[Number] | None = Field(default=None, min_length=1, max_length=MAX_SWEEP_POINTS)

    @model_validator(mode="after")
    def _one_form(self) -> BudgetRange:
        ranged = (self.start, self.to, self.steps)
        if self.values is not None:
            if any(v is not None for v in ranged):
                raise ValueError("give either `from`, `to` and `steps`, or `values`")
            if any(v < 0 or v > 1e13 for v in self.values):
                raise ValueError("budgets are between 0 and 1e13")
            return self
        if any(v is None for v in ranged):
            raise ValueError("give `from`, `to` and `steps` (or `values`)")
        assert self.start is not None
        assert self.to is not None
        if self.to <= self.start:
            raise ValueError("`to` must be above `from`")
        return self

    def budgets(self) -> list[float]:
        """The distinct budgets, lowest first."""
        if self.values is not None:
            return sorted(set(self.values))
        assert self.start is not None
        assert self.to is not None
        assert self.steps is not None
        step = (self.to - self.start) / (self.steps - 1)
        return [round(self.start + k * step, 2) for k in range(self.steps)]


class SweepCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    budget: BudgetRange = Field(
        description="The corporation's total budget (`budget.total`) at each point."
    )
    scale: Literal["proportional", "total_only"] = Field(
        default="proportional",
        description="`proportional`: `budget.per_year` scales with the total; `total_only`: "
        "only `budget.total` changes.",
    )
    version: VersionNumber | None = Field(
        default=None, description="Version to sweep; left out = the current one."
    )
    explain: bool = Field(
        default=False, strict=True,
        description="`true`: each point's run is explained as an ordinary run is. Left out or "
        "`false`: the points are plan-only (their runs end with `explanation_state` "
        "`skipped`), which makes a sweep several times quicker.",
    )


class SweepPoint(BaseModel):
    budget: float
    run_id: uuid.UUID
    state: RunState
    status: Status | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    corporation_spend: float | None = None
    enter: list[FundedRun] | None = Field(
        default=None,
        description="Funded here and not at the previous point (null until both are solved; "
        "at the first point, everything it funds).",
    )
    leave: list[FundedRun] | None = Field(
        default=None, description="Funded at the previous point and not here."
    )


class SweepLinks(BaseModel):
    sweep: str = Field(description="The sweep with its points (`GET`).")
    frontier: str = Field(description="Its frontier as CSV.")
    frontier_xlsx: str = Field(description="Its frontier as XLSX.")


class SweepSummary(BaseModel):
    """A sweep in a scenario's list: what it asked and how far it is, without its points."""

    id: uuid.UUID
    scenario_version: int
    state: Literal["running", "done", "cancelled"]
    scale: Literal["proportional", "total_only"]
    budget_from: float
    budget_to: float
    points_done: int
    points_total: int
    explain: bool = Field(description="Whether each point's run is explained.")
    created_at: datetime
    finished_at: datetime | None = None
    links: SweepLinks


class SweepOut(BaseModel):
    id: uuid.UUID
    scenario_id: uuid.UUID
    scenario_version: int
    state: Literal["running", "done", "cancelled"]
    scale: Literal["proportional", "total_only"]
    points_done: int = Field(
        description="Points whose run has finished (done, failed or cancelled)."
    )
    points_total: int
    explain: bool = Field(description="Whether each point's run is explained (`false`: its "
                          "points are plan-only).")
    created_at: datetime
    finished_at: datetime | None = None
    points: list[SweepPoint]
