"""Indicator values → domain scores, against a calculation done by hand.

Three neighbourhoods, one domain (`safety`, target 0.5), two indicators:

- `nuisance` (higher is worse, no published reference): 2022 N1 10, N2 8; 2024 N1 6, N2 4,
  N3 2. Reference = the 2024 values: mean 4, population SD σ = √((2² + 0² + 2²)/3) = √(8/3)
  = 1.6329931619. z = −(v − 4)/σ:
  N1: 2024 −2/σ = −1.2247448714, 2022 −6/σ = −3.6742346142;
  N2: 2024 0, 2022 −4/σ = −2.4494897428; N3: 2024 +1.2247448714.
- `lbm_onv` (higher is better, published reference 0 and spread 0.1): N1 2024 −0.05 → −0.5.

Domain score per year = mean of the z measured that year:
  N1 2024: (−1.2247448714 − 0.5)/2 = −0.8623724357; 2022: −3.6742346142;
      trend = (−0.8623724357 + 3.6742346142)/2 = 1.4059310892 per year.
  N2 2024: 0, plus the staff adjustment +0.3 = 0.3; trend = (0 + 2.4494897428)/2 = 1.2247448714.
  N3 2024: 1.2247448714; one year, so trend 0.
"""

from __future__ import annotations

import pytest

from app.services.catalogue.normalisation import (
    IndicatorSpec,
    Reference,
    domain_scores,
    references,
    slope,
)

SPECS = [
    IndicatorSpec("nuisance", "safety", higher_is_better=False),
    IndicatorSpec("lbm_onv", "safety", higher_is_better=True, reference_value=0.0,
                  reference_spread=0.1),
    IndicatorSpec("history_only", None, higher_is_better=True),
]
VALUES = {
    "N1": {"nuisance": {2022: 10.0, 2024: 6.0}, "lbm_onv": {2024: -0.05},
           "history_only": {2002: 1.0}},
    "N2": {"nuisance": {2022: 8.0, 2024: 4.0}},
    "N3": {"nuisance": {2024: 2.0}},
}


def test_references() -> None:
    refs = references(SPECS, VALUES)
    assert refs["nuisance"].value == pytest.approx(4.0)
    assert refs["nuisance"].spread == pytest.approx(1.6329931619)
    assert refs["lbm_onv"] == Reference(0.0, 0.1)


def test_domain_scores_by_hand() -> None:
    scores = domain_scores(SPECS, VALUES, domains=["safety", "amenities"],
                           targets={"safety": 0.5}, adjustments={"N2": {"safety": 0.3}})

    n1, n2, n3 = scores["N1"]["safety"], scores["N2"]["safety"], scores["N3"]["safety"]
    assert n1.score == pytest.approx(-0.8623724357, abs=1e-6)
    assert n1.trend == pytest.approx(1.4059310892, abs=1e-6)
    assert (n1.score_year, n1.target) == (2024, 0.5)
    assert n2.score == pytest.approx(0.3, abs=1e-6)
    assert n2.trend == pytest.approx(1.2247448714, abs=1e-6)
    assert n3.score == pytest.approx(1.2247448714, abs=1e-6)
    assert n3.trend == 0.0
    assert all("amenities" not in per_domain for per_domain in scores.values())


def test_an_adjustment_alone_gives_a_score_without_a_year() -> None:
    scores = domain_scores(SPECS, VALUES, domains=["amenities"],
                           adjustments={"N3": {"amenities": -0.4}})
    assert scores["N3"]["amenities"].score == -0.4
    assert scores["N3"]["amenities"].score_year is None
    assert scores["N1"] == {}


def test_an_indicator_without_spread_is_left_out() -> None:
    flat = {"N1": {"nuisance": {2024: 3.0}}, "N2": {"nuisance": {2024: 3.0}}}
    assert references(SPECS[:1], flat) == {}
    assert domain_scores(SPECS[:1], flat, domains=["safety"]) == {"N1": {}, "N2": {}}


def test_slope_is_least_squares() -> None:
    assert slope([(2014, 1.0), (2018, 2.0), (2020, 4.0)]) == pytest.approx(
        # x̄ = 2017.33, ȳ = 2.33; Sxy = 8.6667, Sxx = 18.6667
        8.666666667 / 18.666666667)
    assert slope([(2024, 5.0)]) == 0.0
