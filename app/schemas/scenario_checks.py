"""Whole-document checks of a scenario (DESIGN §3 "Validation").

Each check yields `(path, message)` with the JSON path of the offending field, so a client can
point at it: `interventions[3].partner_contributions[0].partner`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.schemas.scenario import AreaBudget, Intervention, Limit, Scenario

Problem = tuple[str, str]


def scenario_problems(scenario: Scenario) -> list[Problem]:
    checks = (
        _duplicates,
        _neighbourhood_values,
        _limits,
        _partner_contributions,
        _intervention_references,
        _intervention_fit,
        _requires_cycles,
        _rule_references,
    )
    return [problem for check in checks for problem in check(scenario)]


def _duplicates(s: Scenario) -> Iterator[Problem]:
    groups: list[tuple[str, list[str], str]] = [
        ("neighbourhoods", [n.code for n in s.neighbourhoods], "code"),
        ("partners", [p.key for p in s.partners], "key"),
        ("interventions", [i.key for i in s.interventions], "key"),
    ]
    if s.domains is not None:
        groups.append(("domains", [d.key for d in s.domains], "key"))
    for collection, keys, field in groups:
        seen: set[str] = set()
        for index, key in enumerate(keys):
            if key in seen:
                yield f"{collection}[{index}].{field}", f"duplicate {field} '{key}'"
            seen.add(key)


def _neighbourhood_values(s: Scenario) -> Iterator[Problem]:
    domains = {d.key for d in s.domain_catalogue()}
    for n_index, n in enumerate(s.neighbourhoods):
        path = f"neighbourhoods[{n_index}]"
        if n.regulated_homes > n.homes:
            yield (
                f"{path}.regulated_homes",
                (f"regulated_homes ({n.regulated_homes:g}) must not exceed homes ({n.homes:g})"),
            )
        for domain in n.scores:
            if domain not in domains:
                yield f"{path}.scores.{domain}", f"unknown domain '{domain}'"


def _limit_lengths(limit: Limit | AreaBudget, path: str, horizon: int) -> Iterator[Problem]:
    if limit.per_year is not None and len(limit.per_year) != horizon:
        yield (
            f"{path}.per_year",
            (f"needs one entry per horizon year ({horizon}), got {len(limit.per_year)}"),
        )


def _limits(s: Scenario) -> Iterator[Problem]:
    horizon = s.horizon_years
    yield from _limit_lengths(s.budget, "budget", horizon)
    for index, partner in enumerate(s.partners):
        yield from _limit_lengths(partner.budget, f"partners[{index}].budget", horizon)
    for key, resource in s.resources.items():
        if len(resource.per_year) != horizon:
            yield (
                f"resources.{key}.per_year",
                (f"needs one entry per horizon year ({horizon}), got {len(resource.per_year)}"),
            )
    for domain, limit in s.rules.domain_budget.items():
        yield from _limit_lengths(limit, f"rules.domain_budget.{domain}", horizon)
    for index, area in enumerate(s.rules.area_budget):
        yield from _limit_lengths(area, f"rules.area_budget[{index}]", horizon)


def _partner_contributions(s: Scenario) -> Iterator[Problem]:
    partners = {p.key for p in s.partners}
    for i_index, intervention in enumerate(s.interventions):
        share_sum = 0.0
        for c_index, contribution in enumerate(intervention.partner_contributions):
            path = f"interventions[{i_index}].partner_contributions[{c_index}]"
            if contribution.partner not in partners:
                yield f"{path}.partner", f"unknown partner '{contribution.partner}'"
            if (contribution.share is None) == (contribution.amount_per_year is None):
                yield path, "give exactly one of share or amount_per_year"
            share_sum += contribution.share or 0.0
        if share_sum > 1 + 1e-9:
            yield (
                f"interventions[{i_index}].partner_contributions",
                (f"shares sum to {share_sum:g}; they may sum to at most 1"),
            )


def _intervention_references(s: Scenario) -> Iterator[Problem]:
    domains = {d.key for d in s.domain_catalogue()}
    codes = {n.code for n in s.neighbourhoods}
    keys = {i.key for i in s.interventions}
    for i_index, intervention in enumerate(s.interventions):
        path = f"interventions[{i_index}]"
        if intervention.domain not in domains:
            yield f"{path}.domain", f"unknown domain '{intervention.domain}'"
        for domain in intervention.effects:
            if domain not in domains:
                yield f"{path}.effects.{domain}", f"unknown domain '{domain}'"
        for resource in intervention.uses:
            if resource not in s.resources:
                yield (
                    f"{path}.uses.{resource}",
                    (f"unknown resource '{resource}' (declare it under resources)"),
                )
        for r_index, required in enumerate(intervention.requires):
            if required not in keys:
                yield f"{path}.requires[{r_index}]", f"unknown intervention '{required}'"
            elif required == intervention.key:
                yield f"{path}.requires[{r_index}]", "an intervention cannot require itself"
        yield from _eligibility_references(intervention, path, codes, domains)


def _eligibility_references(
    intervention: Intervention, path: str, codes: set[str], domains: set[str]
) -> Iterator[Problem]:
    eligible = intervention.eligible
    if eligible is None:
        return
    if isinstance(eligible, list):
        listed, listed_path = eligible, f"{path}.eligible"
    else:
        listed, listed_path = eligible.codes or [], f"{path}.eligible.codes"
        for domain in eligible.min_gap or {}:
            if domain not in domains:
                yield f"{path}.eligible.min_gap.{domain}", f"unknown domain '{domain}'"
    for c_index, code in enumerate(listed):
        if code not in codes:
            yield f"{listed_path}[{c_index}]", f"unknown neighbourhood '{code}'"


def _intervention_fit(s: Scenario) -> Iterator[Problem]:
    horizon = s.horizon_years
    for i_index, intervention in enumerate(s.interventions):
        path = f"interventions[{i_index}]"
        duration = intervention.duration_years
        if duration is not None and duration > horizon:
            yield (
                f"{path}.duration_years",
                (f"a run of {duration} years cannot fit in a horizon of {horizon} years"),
            )
            continue
        expected = duration if duration is not None else horizon
        for part in ("fixed", "per_home"):
            value = getattr(intervention.cost, part)
            if isinstance(value, list) and len(value) != expected:
                what = "duration_years" if duration is not None else "horizon_years (duration null)"
                yield (
                    f"{path}.cost.{part}",
                    (f"needs one entry per run year ({expected}, from {what}), got {len(value)}"),
                )


def _requires_cycles(s: Scenario) -> Iterator[Problem]:
    index_of = {i.key: index for index, i in enumerate(s.interventions)}
    graph = {
        i.key: [r for r in i.requires if r in index_of and r != i.key] for i in s.interventions
    }
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[str] = set()

    def visit(key: str, trail: list[str]) -> Iterator[Problem]:
        state[key] = 1
        for required in graph[key]:
            if state.get(required) == 1:
                cycle = [*trail[trail.index(required) :], required]
                if required not in reported:
                    reported.add(required)
                    yield (
                        f"interventions[{index_of[key]}].requires",
                        ("requires forms a cycle: " + " -> ".join(cycle)),
                    )
            elif state.get(required) is None:
                yield from visit(required, [*trail, required])
        state[key] = 2

    for key in graph:
        if key not in state:
            yield from visit(key, [key])


def _rule_references(s: Scenario) -> Iterator[Problem]:
    rules = s.rules
    domains = {d.key for d in s.domain_catalogue()}
    codes = {n.code for n in s.neighbourhoods}
    keys = {i.key for i in s.interventions}
    for domain, bounds in rules.domain_share.items():
        if domain not in domains:
            yield f"rules.domain_share.{domain}", f"unknown domain '{domain}'"
        if bounds.min > bounds.max:
            yield (
                f"rules.domain_share.{domain}.min",
                (f"min ({bounds.min:g}) must not exceed max ({bounds.max:g})"),
            )
    for domain in rules.domain_budget:
        if domain not in domains:
            yield f"rules.domain_budget.{domain}", f"unknown domain '{domain}'"
    for a_index, area in enumerate(rules.area_budget):
        path = f"rules.area_budget[{a_index}]"
        if area.municipality is None and area.district is None:
            yield path, "give municipality and/or district"
        elif not any(area.covers(n) for n in s.neighbourhoods):
            yield path, "matches no neighbourhood (municipality and district must both match)"
    first, last = s.start_year, s.start_year + s.horizon_years - 1
    for l_index, lock in enumerate(rules.locks):
        path = f"rules.locks[{l_index}]"
        if lock.intervention not in keys:
            yield f"{path}.intervention", f"unknown intervention '{lock.intervention}'"
        if lock.neighbourhood not in codes:
            yield f"{path}.neighbourhood", f"unknown neighbourhood '{lock.neighbourhood}'"
        if lock.start_year is not None and not first <= lock.start_year <= last:
            yield f"{path}.start_year", f"must lie within the horizon ({first}-{last})"
