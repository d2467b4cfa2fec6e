"""Indicator values → domain scores (DESIGN §2), in standard-deviation units.

For an indicator i with direction sign s_i (+1 when higher is better, −1 when higher is worse),
reference level r_i and spread σ_i, a measurement v of neighbourhood n in year y becomes

    z(n, i, y) = s_i × (v − r_i) / σ_i

r_i and σ_i are the indicator's published reference and spread where it has them (the
Leefbaarometer publishes its dimensions as deviations from the national reference, so r = 0);
otherwise the mean and the population standard deviation of the organisation's own
neighbourhoods in the latest year the indicator was measured. One fixed reference over all years
keeps a real change over time visible as a trend.

The domain score of n in year y is the mean of z over the domain's indicators measured for n in
that year. `score` is that mean in the latest such year (`score_year`), plus the staff
adjustment for the domain; `trend` is the least-squares slope per year through all such years
(0 with fewer than two); `target` is the domain's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from app.schemas.scenario import DomainScore

# values[neighbourhood code][indicator key][year]
Values = Mapping[str, Mapping[str, Mapping[int, float]]]


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    domain: str | None
    higher_is_better: bool
    reference_value: float | None = None
    reference_spread: float | None = None


@dataclass(frozen=True)
class Reference:
    value: float
    spread: float


def references(specs: Collection[IndicatorSpec], values: Values) -> dict[str, Reference]:
    """Reference and spread per indicator; an indicator without a usable spread is left out."""
    found: dict[str, Reference] = {}
    for spec in specs:
        by_year: dict[int, list[float]] = defaultdict(list)
        for per_indicator in values.values():
            for year, measured in per_indicator.get(spec.key, {}).items():
                by_year[year].append(measured)
        latest = by_year[max(by_year)] if by_year else []
        level = spec.reference_value
        if level is None:
            if not latest:
                continue
            level = sum(latest) / len(latest)
        spread = spec.reference_spread
        if spread is None:
            if len(latest) < 2:
                continue
            mean = sum(latest) / len(latest)
            spread = math.sqrt(sum((v - mean) ** 2 for v in latest) / len(latest))
        if spread > 0:
            found[spec.key] = Reference(level, spread)
    return found


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of y on x; 0 with fewer than two distinct x."""
    if len({x for x, _ in points}) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return sxy / sxx


def domain_scores(
    specs: Collection[IndicatorSpec],
    values: Values,
    *,
    domains: Collection[str],
    targets: Mapping[str, float] | None = None,
    adjustments: Mapping[str, Mapping[str, float]] | None = None,
    neighbourhoods: Collection[str] | None = None,
) -> dict[str, dict[str, DomainScore]]:
    """Scores per neighbourhood (those in `neighbourhoods`, default all in `values`) and
    domain (those in `domains`). References use every neighbourhood in `values`."""
    targets = targets or {}
    adjustments = adjustments or {}
    refs = references(specs, values)
    usable = [s for s in specs if s.domain in domains and s.key in refs]
    codes = list(values) if neighbourhoods is None else list(neighbourhoods)
    scores: dict[str, dict[str, DomainScore]] = {}
    for code in codes:
        measured = values.get(code, {})
        per_domain: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
        for spec in usable:
            assert spec.domain is not None
            ref = refs[spec.key]
            sign = 1.0 if spec.higher_is_better else -1.0
            for year, value in measured.get(spec.key, {}).items():
                per_domain[spec.domain][year].append(sign * (value - ref.value) / ref.spread)
        own = adjustments.get(code, {})
        result: dict[str, DomainScore] = {}
        for domain in domains:
            series = sorted((year, sum(z) / len(z)) for year, z in per_domain[domain].items())
            delta = own.get(domain, 0.0)
            if not series and domain not in own:
                continue
            score_year = series[-1][0] if series else None
            score = (series[-1][1] if series else 0.0) + delta
            result[domain] = DomainScore(
                score=round(score, 6),
                trend=round(slope(series), 6),
                target=targets.get(domain, 0.0),
                score_year=score_year,
            )
        scores[code] = result
    return scores
