"""Why this plan (DESIGN §4 `explanation`) and what would make an infeasible one feasible.

Every number here is in the scenario's own units: euros for money lines, the resource's units
(e.g. FTE) for capacity lines, weighted liveability home-years for value.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

LineKind = Literal["budget", "partner", "resource", "domain_budget", "area_budget"]
Reason = Literal[
    "not_eligible", "excluded_by_lock", "no_need", "cannot_fit", "within_gap", "outcompeted"
]
REASON_ORDER: tuple[Reason, ...] = (
    "not_eligible",
    "excluded_by_lock",
    "no_need",
    "cannot_fit",
    "within_gap",
    "outcompeted",
)


class RunRef(BaseModel):
    intervention: str
    neighbourhood: str
    start_year: int


class RuleRef(BaseModel):
    rule: str = Field(
        description=(
            "Machine key of the rule, e.g. `budget:2027`, `budget:total`, `partner:<key>:total`, "
            "`resource:<key>:<year>`, `domain_budget:<domain>:<year|total>`, "
            "`area_budget:<index>:<year|total>`, `cap_per_regulated_home:<code>:<year>`, "
            "`domain_share_min:<domain>`, `domain_share_max:<domain>`, "
            "`max_neighbourhood_share:<code>`, `exclusive_group:<group>`, "
            "`max_per_neighbourhood:<intervention>`, `max_total:<intervention>`, "
            "`requires:<intervention>:<prerequisite>`, `lock:<index>`, `horizon`."
        )
    )
    message: str


class NextStep(BaseModel):
    """What raising one money or capacity line by a step buys (exact, by MILP re-solve)."""

    line: str = Field(description="Machine key, as in `RuleRef.rule`.")
    kind: LineKind
    label: str
    unit: str = Field(description="`EUR` for money, else the resource key.")
    year: int | None = Field(description="Calendar year, or null for a total over the horizon.")
    limit: float
    used: float
    binding: bool = Field(description="The step buys something, or the plan uses the line fully.")
    step: float | None = None
    gain: float | None = Field(
        default=None, description="Value gained by the re-solve with the line raised by `step`."
    )
    gain_at_most: float | None = Field(
        default=None,
        description="When the re-solve did not prove `gain` exact: its bound on the gain.",
    )
    gain_per_unit: float | None = Field(
        default=None, description="`gain` / `step`: value per euro (or per unit of capacity)."
    )
    resolved: bool = Field(description="True when a MILP re-solve gave `gain`.")
    enters: list[RunRef] = Field(default_factory=list)
    leaves: list[RunRef] = Field(default_factory=list)
    note: str = ""


class MarginalEstimate(BaseModel):
    """The line's dual in the LP relaxation with funded runs fixed and the rest relaxed."""

    line: str
    label: str
    unit: str
    value_per_unit: float = Field(
        description=(
            "Right-hand derivative of that relaxation's value with respect to the line "
            "(positive = more of it is worth more), per euro or per unit of capacity."
        )
    )
    estimate: Literal[True] = True


class BindingRule(BaseModel):
    rule: str = Field(description="The rule family, e.g. `budget`, `resource:staff_fte`.")
    lines: list[str] = Field(description="The binding lines of that rule (machine keys).")
    message: str
    gain: float | None = Field(
        default=None, description="The largest next-step gain among `lines`, when re-solved."
    )


class CandidateExplanation(BaseModel):
    """One intervention × neighbourhood pair without a run, and the first reason that applies."""

    intervention: str
    neighbourhood: str
    neighbourhood_name: str | None = None
    reason: Reason
    message: str
    start_year: int | None = Field(
        default=None,
        description="The start year the numbers below refer to (forced plan or cheapest run).",
    )
    standalone_value: float | None = Field(
        default=None, description="Value of the pair's best run funded alone."
    )
    cost_of_forcing: float | None = Field(
        default=None, description="Objective lost when the pair is locked in (re-solved)."
    )
    estimate: bool = Field(
        default=False,
        description="True when `cost_of_forcing` is an LP-relaxation estimate, not a re-solve.",
    )
    condition: str | None = Field(default=None, description="The eligibility condition failed.")
    blocked_by: list[RuleRef] = Field(default_factory=list)
    limited_by: list[RuleRef] = Field(default_factory=list)
    displaced_by: list[RunRef] = Field(
        default_factory=list, description="Runs of the plan that the forced plan drops."
    )


class Explanation(BaseModel):
    level: Literal["standard", "full"] = Field(
        default="standard",
        description=(
            "How much was explained: `standard` (the default, about a quarter of the solve's "
            "time: costs of forcing are LP estimates unless the pair is named) or `full` "
            "(every pair's cost of forcing re-solved exactly); see `on_request`."
        ),
    )
    on_request: list[str] = Field(
        default_factory=list, description="What a higher level would add, and how to ask for it."
    )
    skipped: list[str] = Field(
        default_factory=list,
        description="Parts the explanation's share of the time limit did not reach.",
    )
    next_step: list[NextStep] = Field(default_factory=list)
    marginal_estimate: list[MarginalEstimate] = Field(default_factory=list)
    binding: list[BindingRule] = Field(default_factory=list)
    candidates: list[CandidateExplanation] = Field(default_factory=list)
    reason_counts: dict[str, int] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class DiagnosisChange(BaseModel):
    kind: Literal["release_lock", "raise_limit", "change_rule"]
    target: str = Field(description="A `lock:<index>` or a rule key, as in `RuleRef.rule`.")
    current: float | None = None
    proposed: float | None = None
    amount: float | None = Field(default=None, description="`proposed` − `current`.")
    message: str


class DiagnosisOption(BaseModel):
    summary: str
    changes: list[DiagnosisChange]


class Diagnosis(BaseModel):
    """A least-cost set of changes that makes an infeasible scenario feasible."""

    message: str
    changes: list[DiagnosisChange] = Field(
        default_factory=list,
        description="The least-cost set: releasing as few locks as possible.",
    )
    alternatives: list[DiagnosisOption] = Field(
        default_factory=list,
        description="Other ways out, e.g. keeping every lock and changing limits or rules.",
    )
