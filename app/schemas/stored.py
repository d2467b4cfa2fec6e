"""API shapes of stored scenarios, their versions and runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas.common import Identifier, Text, VersionNumber
from app.schemas.recommendation import Recommendation, Status
from app.schemas.scenario import Limit, Objective, Resource, Rules, Scenario, SolverSettings

RunState = Literal["queued", "running", "done", "failed", "cancelled"]
ExplanationState = Literal["pending", "ready", "skipped", "failed"]


class CatalogueSelection(BaseModel):
    """A scenario assembled from the organisation's catalogue: the chosen neighbourhoods (with
    their domain scores computed from the indicators), interventions and the partners these
    name, plus what only a scenario says (years, budget, rules, objective, solver)."""

    model_config = ConfigDict(extra="forbid")

    start_year: int = Field(strict=True, ge=1900, le=2200)
    horizon_years: int = Field(strict=True, ge=1, le=30)
    neighbourhoods: list[Identifier] | None = Field(
        default=None, description="Codes; left out = every neighbourhood in the catalogue."
    )
    interventions: list[Identifier] | None = Field(
        default=None, description="Keys; left out = every intervention in the catalogue."
    )
    domains: list[Identifier] | None = Field(
        default=None,
        description="Keys; left out = every domain in the catalogue (or, with none there, the "
        "8-domain default).",
    )
    budget: Limit = Field(default_factory=Limit)
    resources: dict[str, Resource] = Field(default_factory=dict)
    rules: Rules = Field(default_factory=Rules)
    objective: Objective = Field(default_factory=Objective)
    solver: SolverSettings = Field(default_factory=SolverSettings)


class ScenarioWrite(BaseModel):
    """Exactly one of `document` (contract v1, inline) and `catalogue` (assembled)."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(
        default=None, max_length=500, description="Left out: the document's `name`."
    )
    document: Scenario | None = None
    catalogue: CatalogueSelection | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ScenarioWrite:
        if (self.document is None) == (self.catalogue is None):
            raise ValueError("give exactly one of `document` and `catalogue`")
        return self


class VersionSummary(BaseModel):
    number: int
    source: Literal["inline", "catalogue", "whatif"]
    scenario_sha256: str
    created_at: datetime
    created_by: str | None = None
    parent_run_id: uuid.UUID | None = Field(
        default=None, description="For a what-if version: the run whose document was patched."
    )
    patch_format: Literal["merge-patch", "json-patch"] | None = Field(
        default=None, description="For a what-if version: RFC 7396 or RFC 6902."
    )
    patch: Any | None = Field(default=None, description="For a what-if version: the patch.")


class VersionOut(VersionSummary):
    scenario_id: uuid.UUID
    document: dict[str, Any] = Field(
        description="The scenario document of this version, "
        "contract v1, with every default filled in."
    )
    selection: dict[str, Any] | None = Field(
        default=None, description="For an assembled version: the catalogue selection."
    )


class ScenarioSummary(BaseModel):
    id: uuid.UUID
    name: str
    current_version: int
    created_at: datetime
    updated_at: datetime


class ScenarioOut(ScenarioSummary):
    versions: list[VersionSummary]


class RunStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: VersionNumber | None = Field(
        default=None, description="Version to solve; left out = the current one."
    )


class RunSummary(BaseModel):
    id: uuid.UUID
    scenario_id: uuid.UUID
    scenario_version: int
    state: RunState = Field(
        description="Where the job is: queued, running, done, failed or cancelled."
    )
    status: Status | None = Field(
        default=None,
        description="The result's status once done: optimal, feasible, infeasible or error.",
    )
    objective: float | None = None
    attempts: int
    cancel_requested: bool
    scenario_sha256: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    explanation_state: ExplanationState = Field(
        default="pending",
        description="The explanation follows the plan: pending, ready, skipped (none made) or "
        "failed. The plan is readable once `state` is done, whatever this says.",
    )
    start_from_run_id: uuid.UUID | None = Field(
        default=None, description="The run whose plan this one started from (warm start)."
    )
    sweep_id: uuid.UUID | None = Field(
        default=None, description="The sweep this run is a point of."
    )
    sweep_budget: float | None = Field(default=None, description="Its budget in that sweep.")


class RunOut(RunSummary):
    recommendation: Recommendation | None = Field(
        default=None, description="The recommendation, once the run is done."
    )
