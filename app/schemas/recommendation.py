"""The recommendation (DESIGN §4): what the optimizer answers for one scenario."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.explanation import Diagnosis, Explanation

Status = Literal["optimal", "feasible", "infeasible", "error"]


class Timings(BaseModel):
    build_s: float = 0.0
    solve_s: float = 0.0
    explain_s: float = 0.0
    total_s: float = 0.0


class SolveStage(BaseModel):
    """One stage of the solve, in the order they ran (see docs/solver.md)."""

    name: str = Field(description="relaxation, greedy, lagrangian bound, master plan, …")
    seconds: float
    objective: float | None = Field(
        default=None, description="The best plan's value after this stage (null: no plan yet)."
    )
    bound: float | None = Field(
        default=None, description="The bound on every plan's value after it (null: none yet)."
    )
    timed_out: bool = Field(
        default=False,
        description="Its share of the time limit ran out before it ended: what it found "
        "depends on how fast the machine was.",
    )
    allotted_s: float | None = Field(
        default=None,
        description="The seconds its share of the time limit gave it when it began.",
    )


class SolverReport(BaseModel):
    name: Literal["highs", "cbc"]
    solver_version: str
    pulp_version: str
    time_limit_s: float
    mip_gap: float
    threads: int | None = None
    random_seed: int = 0
    time_limit_capped: bool = Field(
        default=False, description="True when the server capped the requested time limit."
    )
    timings: Timings = Field(default_factory=Timings)
    peak_memory_mib: float | None = Field(
        default=None,
        description="Peak resident memory of the process that solved (MiB), for capacity "
        "planning; a server process counts what it held before the solve too.",
    )
    stages: list[SolveStage] = Field(
        default_factory=list, description="What the solve did, stage by stage."
    )
    reproducible: bool = Field(
        default=True,
        description="False when a stage's time ran out: the same document and options may "
        "then give another plan on another run or machine.",
    )
    reproducible_note: str = Field(
        default="", description="Why the answer may differ on another run (when it may)."
    )


class ModelSize(BaseModel):
    candidates: int
    variables: int
    constraints: int
    nonzeros: int


class Allocation(BaseModel):
    intervention: str
    neighbourhood: str
    neighbourhood_name: str | None = None
    start_year: int
    run_years: list[int]
    effect_years: list[int]
    total_cost: float
    corporation_cost: float
    partner_contributions: dict[str, float]
    primary_domain: str
    value: float = Field(description="Objective lost if this run alone were dropped.")
    value_per_corporation_euro: float | None


class YearSpend(BaseModel):
    year: int
    corporation: float
    limit: float | None


class DomainSpend(BaseModel):
    domain: str
    corporation: float
    share: float | None
    min_share: float | None
    max_share: float | None
    budget_total: float | None
    per_year: list[YearSpend]


class PartnerSpend(BaseModel):
    partner: str
    total: float
    limit_total: float | None
    per_year: list[YearSpend]


class NeighbourhoodSpend(BaseModel):
    neighbourhood: str
    corporation: float
    share: float | None
    max_share: float | None
    cap_per_year: float | None
    per_year: list[YearSpend]


class AreaSpend(BaseModel):
    municipality: str | None
    district: str | None
    corporation: float
    limit_total: float | None
    per_year: list[YearSpend]


class ResourceUse(BaseModel):
    resource: str
    year: int
    used: float
    limit: float


class Spend(BaseModel):
    corporation_total: float
    corporation_limit: float | None
    partners_total: float
    cost_total: float
    per_year: list[YearSpend]
    per_domain: list[DomainSpend]
    per_partner: list[PartnerSpend]
    per_neighbourhood: list[NeighbourhoodSpend]
    per_area: list[AreaSpend]
    per_resource: list[ResourceUse]


class Improvement(BaseModel):
    neighbourhood: str
    domain: str
    year: int
    without_plan: float = Field(description="Projected score q without the plan.")
    with_plan: float = Field(description="q plus active effects (uncapped).")
    gap: float
    gap_closed: float = Field(description="Credited improvement c.")


class Recommendation(BaseModel):
    status: Status
    message: str = ""
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    scenario_sha256: str
    solver: SolverReport
    model: ModelSize | None = None
    allocations: list[Allocation] = Field(default_factory=list)
    spend: Spend | None = None
    improvements: list[Improvement] = Field(default_factory=list)
    explanation: Explanation | None = Field(
        default=None, description="Why this plan; left out when explaining was not asked for."
    )
    diagnosis: Diagnosis | None = Field(
        default=None, description="When infeasible: a least-cost set of changes that helps."
    )
    warnings: list[str] = Field(default_factory=list)
