"""Scenario document, contract v1 (DESIGN §3).

Field names are the contract: add freely, rename none. Structural checks (types, ranges, unknown
fields) live on the models; checks that need the whole document (cross-references, list lengths
against the horizon, cycles) live in `app.schemas.checks` so every error can name its JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.schemas.common import INT32_MAX, Identifier, Text
from app.schemas.scenario_checks import scenario_problems

# Upper bounds far beyond any real question keep every number the model computes finite and
# within what a solver can represent (a home count of 1e30 is a typo, not a neighbourhood).
Money = Annotated[float, Field(strict=True, ge=0, le=1e11, description="Euros.")]
Homes = Annotated[float, Field(strict=True, ge=0, le=1e7)]
Units = Annotated[float, Field(strict=True, ge=0, le=1e6)]
ScorePoints = Annotated[float, Field(strict=True, ge=-1e6, le=1e6)]
Effect = Annotated[float, Field(strict=True, ge=0, le=1e6)]
Year = Annotated[int, Field(strict=True, ge=1900, le=2200)]
Share = Annotated[float, Field(strict=True, ge=0, le=1)]
Key = Identifier

DEFAULT_DOMAINS: tuple[tuple[str, str], ...] = (
    ("physical_environment", "Fysieke omgeving"),
    ("housing_stock", "Woningvoorraad"),
    ("amenities", "Voorzieningen"),
    ("social_cohesion", "Sociale samenhang"),
    ("nuisance_safety", "Overlast en onveiligheid"),
    ("vulnerable_residents", "Kwetsbare bewoners"),
    ("rent_arrears", "Huurachterstand en schulden"),
    ("social_mobility", "Sociale stijging"),
)


class Strict(BaseModel):
    """Unknown fields are refused: a typo such as `budjet` must not silently become a default."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)


class Domain(Strict):
    key: Key
    label: Text | None = Field(default=None, max_length=200)
    weight: Annotated[float, Field(strict=True, ge=0, le=1e3)] = 1.0


class DomainScore(Strict):
    score: ScorePoints
    trend: ScorePoints = 0.0
    target: ScorePoints = 0.0
    score_year: Year | None = Field(
        default=None, description="Year the score was measured; default start_year - 1."
    )


class Neighbourhood(Strict):
    code: Key
    name: Text | None = Field(default=None, max_length=200)
    district: Text | None = Field(default=None, max_length=200)
    municipality: Text | None = Field(default=None, max_length=200)
    homes: Homes
    regulated_homes: Homes = 0.0
    scores: dict[str, DomainScore] = Field(default_factory=dict)


class Limit(Strict):
    """A money or capacity limit over the horizon and/or per calendar year; absent = no limit."""

    total: Money | None = None
    per_year: list[Money] | None = None


class Partner(Strict):
    key: Key
    name: Text | None = Field(default=None, max_length=200)
    budget: Limit = Field(default_factory=Limit)


class PartnerContribution(Strict):
    partner: Key
    share: Share | None = None
    amount_per_year: Money | None = None


class Cost(Strict):
    fixed: Money | list[Money] = 0.0
    per_home: Money | list[Money] = 0.0


class Eligibility(Strict):
    codes: list[Key] | None = None
    min_gap: dict[str, Effect] | None = None


class Intervention(Strict):
    key: Key
    name: Text | None = Field(default=None, max_length=200)
    domain: Key = Field(description="Primary domain: the one spending rules count it under.")
    effects: dict[str, Effect] = Field(default_factory=dict)
    cost: Cost = Field(default_factory=Cost)
    duration_years: Annotated[int, Field(strict=True, ge=1, le=100)] | None = 1
    lag_years: Annotated[int, Field(strict=True, ge=0, le=100)] = 0
    effect_persists: bool = False
    partner_contributions: list[PartnerContribution] = Field(default_factory=list)
    uses: dict[str, Units] = Field(default_factory=dict)
    eligible: list[Key] | Eligibility | None = None
    exclusive_group: Key | None = None
    requires: list[Key] = Field(default_factory=list)
    max_per_neighbourhood: Annotated[int, Field(strict=True, ge=1, le=10_000)] | None = 1
    max_total: Annotated[int, Field(strict=True, ge=0, le=INT32_MAX)] | None = None
    counts_toward_cap: bool = True


class Resource(Strict):
    per_year: list[Units]


class ShareBounds(Strict):
    min: Share = 0.0
    max: Share = 1.0


class AreaBudget(Strict):
    municipality: Text | None = Field(default=None, max_length=200)
    district: Text | None = Field(default=None, max_length=200)
    total: Money | None = None
    per_year: list[Money] | None = None

    def covers(self, neighbourhood: Neighbourhood) -> bool:
        """Both names must match when both are given (DESIGN §3 point 11)."""
        return (self.municipality is None or neighbourhood.municipality == self.municipality) and (
            self.district is None or neighbourhood.district == self.district
        )


class Lock(Strict):
    intervention: Key
    neighbourhood: Key
    start_year: Year | None = None
    fund: bool


class Rules(Strict):
    domain_share: dict[str, ShareBounds] = Field(default_factory=dict)
    domain_budget: dict[str, Limit] = Field(default_factory=dict)
    max_neighbourhood_share: Share | None = None
    area_budget: list[AreaBudget] = Field(default_factory=list)
    cap_per_regulated_home: Money | None = None
    locks: list[Lock] = Field(default_factory=list)


class Objective(Strict):
    equity: Literal["linear", "prioritarian"] = "prioritarian"
    equity_strength: Annotated[float, Field(strict=True, ge=0, le=100)] = 1.0
    segments: Annotated[int, Field(strict=True, ge=1, le=50)] = 4
    cap_at_target: bool = True
    discount_rate: Annotated[float, Field(strict=True, ge=0, le=1)] = 0.0


class SolverSettings(Strict):
    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: Annotated[float, Field(strict=True, gt=0, le=1e6)] = 60.0
    mip_gap: Annotated[float, Field(strict=True, ge=0, le=1)] = 0.001
    threads: Annotated[int, Field(strict=True, ge=1, le=256)] | None = None
    random_seed: Annotated[int, Field(strict=True, ge=0, le=2_147_483_647)] = Field(
        default=0,
        description="HiGHS's random seed: the same seed gives the same plan every run; "
        "another seed another search path (to a plan within the same gap).",
    )


class Scenario(Strict):
    name: Text = Field(default="", max_length=500)
    start_year: Annotated[int, Field(strict=True, ge=1900, le=2200)]
    horizon_years: Annotated[int, Field(strict=True, ge=1, le=30)]
    domains: list[Domain] | None = Field(
        default=None, description="Left out: the 8-domain default catalogue, weight 1 each."
    )
    neighbourhoods: Annotated[list[Neighbourhood], Field(min_length=1)]
    partners: list[Partner] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    budget: Limit = Field(default_factory=Limit)
    resources: dict[str, Resource] = Field(default_factory=dict)
    rules: Rules = Field(default_factory=Rules)
    objective: Objective = Field(default_factory=Objective)
    solver: SolverSettings = Field(default_factory=SolverSettings)

    def domain_catalogue(self) -> list[Domain]:
        if self.domains is not None:
            return self.domains
        return [Domain(key=key, label=label) for key, label in DEFAULT_DOMAINS]


class ScenarioInvalid(ValueError):
    """A scenario document that breaks contract v1; `errors` name each offending JSON path."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        first = errors[0] if errors else {"path": "", "message": "invalid scenario"}
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first['path']}: {first['message']}{more}")


def json_path(loc: Sequence[int | str]) -> str:
    """`("interventions", 3, "cost", "fixed")` -> `interventions[3].cost.fixed`.

    Pydantic adds the tag of a union member to the location (`list[str]`, `Eligibility`,
    `float`) and `[key]` after a mapping key it refused; those are not fields of the document,
    so they are left out. A tag is a name followed by brackets; a key that merely holds a
    bracket (`"a["`) is the client's and stays. Locations that come from walking the document
    itself, not from pydantic, go through `document_path`, which drops nothing.
    """
    return document_path([part for part in loc if not _is_tag(part)])


def document_path(trail: Sequence[int | str]) -> str:
    """`("interventions", 3, "name")` -> `interventions[3].name`, every part kept."""
    path = ""
    for part in trail:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


_TAG = re.compile(r"[\w-]*\[.*\]", re.DOTALL)


def _is_tag(part: int | str) -> bool:
    return isinstance(part, str) and (part in _UNION_TAGS or _TAG.fullmatch(part) is not None)


_UNION_TAGS = frozenset(
    {"float", "int", "str", "bool", "none", "constrained-float", "constrained-int"}
    | {cls.__name__ for cls in Strict.__subclasses__()}
)


def errors_from_validation(
    error: ValidationError, prefix: Sequence[int | str] = ()
) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])[len(prefix) :] if prefix else tuple(item["loc"])
        path = json_path(loc)
        seen.setdefault(path, str(item["msg"]))
    return [{"path": path, "message": message} for path, message in seen.items()]


def check_scenario(scenario: Scenario) -> None:
    problems = scenario_problems(scenario)
    if problems:
        raise ScenarioInvalid([{"path": path, "message": message} for path, message in problems])


def parse_scenario(document: Any) -> Scenario:
    """Validate a scenario document fully; raise `ScenarioInvalid` naming every bad field."""
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as error:
        raise ScenarioInvalid(errors_from_validation(error)) from None
    check_scenario(scenario)
    return scenario
