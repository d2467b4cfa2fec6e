"""A recommendation as flat tables: the one layout the CSV and XLSX files share.

Each table is a list of column names, the columns that hold euros, and rows of plain values
(str, int, float or None), so a file written from it reads back to the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.schemas.recommendation import Recommendation, Spend, YearSpend

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    euro_columns: frozenset[str] = frozenset()
    # With a unit column, euro columns hold euros only in rows whose unit is `EUR`.
    unit_column: str | None = None
    rows: list[list[Value]] = field(default_factory=list)


def years(values: list[int]) -> str:
    return " ".join(str(year) for year in values)


def partner_keys(recommendation: Recommendation) -> list[str]:
    """The partners that pay for some allocation, in first-seen order."""
    seen: dict[str, None] = {}
    for allocation in recommendation.allocations:
        seen.update(dict.fromkeys(allocation.partner_contributions))
    return list(seen)


def allocations(recommendation: Recommendation) -> Table:
    partners = partner_keys(recommendation)
    partner_columns = [f"partner_contributions.{key}" for key in partners]
    table = Table(
        "allocations",
        ["intervention", "neighbourhood", "neighbourhood_name", "start_year", "run_years",
         "effect_years", "total_cost", "corporation_cost", *partner_columns, "primary_domain",
         "value", "value_per_corporation_euro"],
        frozenset({"total_cost", "corporation_cost", *partner_columns}),
    )
    for a in recommendation.allocations:
        table.rows.append([
            a.intervention, a.neighbourhood, a.neighbourhood_name, a.start_year,
            years(a.run_years), years(a.effect_years), a.total_cost, a.corporation_cost,
            *[a.partner_contributions.get(key) for key in partners], a.primary_domain,
            a.value, a.value_per_corporation_euro,
        ])
    return table


def spend(recommendation: Recommendation) -> Table:
    """Every spend figure, one per row: `line` says which part of `spend` it comes from, `key`
    whose it is, `year` the calendar year (empty for a total over the horizon)."""
    table = Table("spend", ["line", "key", "year", "unit", "amount", "limit"],
                  frozenset({"amount", "limit"}), unit_column="unit")
    s: Spend | None = recommendation.spend
    if s is None:
        return table
    rows = table.rows

    def line(kind: str, key: str, total: float, limit: float | None,
             per_year: list[YearSpend]) -> None:
        rows.append([kind, key, None, "EUR", total, limit])
        rows.extend([kind, key, y.year, "EUR", y.corporation, y.limit] for y in per_year)

    rows.append(["corporation_total", "", None, "EUR", s.corporation_total, s.corporation_limit])
    rows.append(["partners_total", "", None, "EUR", s.partners_total, None])
    rows.append(["cost_total", "", None, "EUR", s.cost_total, None])
    rows.extend(["year", "", y.year, "EUR", y.corporation, y.limit] for y in s.per_year)
    for d in s.per_domain:
        line("domain", d.domain, d.corporation, d.budget_total, d.per_year)
    for p in s.per_partner:
        line("partner", p.partner, p.total, p.limit_total, p.per_year)
    for n in s.per_neighbourhood:
        line("neighbourhood", n.neighbourhood, n.corporation, None, n.per_year)
    for area in s.per_area:
        key = "/".join(part or "" for part in (area.municipality, area.district))
        line("area", key, area.corporation, area.limit_total, area.per_year)
    rows.extend(["resource", r.resource, r.year, r.resource, r.used, r.limit]
                for r in s.per_resource)
    return table


def improvements(recommendation: Recommendation) -> Table:
    table = Table("improvements", ["neighbourhood", "domain", "year", "without_plan",
                                   "with_plan", "gap", "gap_closed"])
    table.rows.extend([i.neighbourhood, i.domain, i.year, i.without_plan, i.with_plan, i.gap,
                       i.gap_closed] for i in recommendation.improvements)
    return table


def why_not(recommendation: Recommendation) -> Table:
    table = Table(
        "why not",
        ["intervention", "neighbourhood", "neighbourhood_name", "reason", "message",
         "start_year", "standalone_value", "cost_of_forcing", "estimate", "condition",
         "blocked_by", "limited_by", "displaced_by"],
    )
    explanation = recommendation.explanation
    for c in explanation.candidates if explanation else []:
        table.rows.append([
            c.intervention, c.neighbourhood, c.neighbourhood_name, c.reason, c.message,
            c.start_year, c.standalone_value, c.cost_of_forcing, c.estimate, c.condition,
            " ".join(r.rule for r in c.blocked_by), " ".join(r.rule for r in c.limited_by),
            " ".join(f"{r.intervention}@{r.neighbourhood}@{r.start_year}"
                     for r in c.displaced_by),
        ])
    return table


def summary(run: dict[str, Any], recommendation: Recommendation) -> Table:
    table = Table("run", ["field", "value"])
    table.rows.extend([
        ["run_id", str(run["id"])], ["scenario_id", str(run["scenario_id"])],
        ["scenario_version", run["scenario_version"]], ["status", recommendation.status],
        ["objective", recommendation.objective], ["bound", recommendation.bound],
        ["gap", recommendation.gap], ["scenario_sha256", recommendation.scenario_sha256],
        ["message", recommendation.message],
    ])
    return table
