"""Build ``examples/utrecht.json``: a corporation planning question for Utrecht, 2027–2029.

Run from the project root::

    python -m examples.build_utrecht

Data and credits
----------------
- ``data/buurten/kwb-2023-utrecht.csv`` — CBS, Kerncijfers wijken en buurten 2023.
  Bron: CBS (CC BY 4.0).
- ``data/buurten/leefbaarometer-2002-2024-utrecht.csv`` — Leefbaarometer 3.0 scores per buurt,
  metingen 2002–2024. Bron: Leefbaarometer 3.0, Ministerie van BZK.

See ``data/buurten/PROVENANCE.md`` for where the files come from and what the columns mean.

How the scenario is derived
---------------------------
Neighbourhoods: the KWB rows with ``recs == "Buurt"`` that have homes (``a_woning`` a number
> 0) and a 2024 Leefbaarometer row. ``code`` = ``gwb_code_10``, ``name`` = ``regio``,
``district`` = the name of the wijk (the ``recs == "Wijk"`` row with code ``WK`` + the first
six digits of ``gwb_code_8``, without its "Wijk NN " prefix), ``homes`` = ``a_woning`` and
``regulated_homes`` = round(``a_woning`` × ``p_wcorpw`` / 100): the corporation-owned homes,
used as the proxy for DAEB homes (``.``, unknown, counts as 0).

Leefbaarometer domains (``fys``, ``won``, ``vrz``, ``soc``, ``onv``): each 2024 dimension value
is already the deviation from the national reference. The score is that value divided by the
population standard deviation (ddof = 0) of the same dimension's 2024 values over the buurten
in the scenario, so the scores are in standard-deviation units and target 0 is the national
reference. ``trend`` is the least-squares slope per year through the measurements 2014, 2018,
2020, 2022 and 2024 (the years with dimension scores; at least two needed), divided by the same
standard deviation. ``score_year`` is 2024.

Domain ``vulnerable_residents`` (Kwetsbare bewoners): the share of inhabitants with a social
assistance benefit, rate = ``a_soz_wb`` / ``a_inw`` (KWB 2023), for buurten with at least
500 inhabitants and a known ``a_soz_wb`` (CBS rounds the counts, so smaller buurten give noise,
not information). The reference is the rate of the gemeente as a whole (the ``Gemeente`` row);
score = (reference rate − buurt rate) ÷ the population standard deviation of the buurt rates, so
a negative score means more residents on social assistance than the Utrecht average and target
0 is the Utrecht average (not a national one). There is no history in the data, so ``trend`` is
0; ``score_year`` is 2023.

Everything else (interventions, costs, partners, budgets and rules) is an illustrative planning
question with realistic orders of magnitude, not data.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "buurten"
KWB_FILE = DATA / "kwb-2023-utrecht.csv"
LBM_FILE = DATA / "leefbaarometer-2002-2024-utrecht.csv"
OUT_FILE = Path(__file__).resolve().parent / "utrecht.json"

SCORE_YEAR = 2024
TREND_YEARS = (2014, 2018, 2020, 2022, 2024)
KWB_YEAR = 2023
MIN_INHABITANTS_FOR_RATE = 500
START_YEAR = 2027
HORIZON = 3

# key -> (Leefbaarometer column, label, weight)
LBM_DOMAINS: dict[str, tuple[str, str, float]] = {
    "physical_environment": ("fys", "Fysieke omgeving", 0.8),
    "housing_stock": ("won", "Woningvoorraad", 0.8),
    "amenities": ("vrz", "Voorzieningen", 0.6),
    "social_cohesion": ("soc", "Sociale samenhang", 1.0),
    "nuisance_safety": ("onv", "Overlast en onveiligheid", 1.0),
}
VULNERABLE = ("vulnerable_residents", "Kwetsbare bewoners", 0.9)


def _number(text: str) -> float | None:
    """A CBS / Leefbaarometer cell as a float; ``.``, ``NA`` and empty cells are None."""
    text = text.strip()
    if text in {"", ".", "NA"}:
        return None
    return float(text)


def _pstdev(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of y on x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return sxy / sxx


def load_neighbourhoods() -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """Neighbourhood documents (with scores) and the KWB rows behind them, by code."""
    with KWB_FILE.open(encoding="utf-8", newline="") as fh:
        kwb = list(csv.DictReader(fh))
    with LBM_FILE.open(encoding="utf-8", newline="") as fh:
        lbm = list(csv.DictReader(fh))

    gemeente = next(r for r in kwb if r["recs"] == "Gemeente")
    wijk_names = {
        r["gwb_code_10"]: re.sub(r"^Wijk \d+\s+", "", r["regio"]).strip()
        for r in kwb
        if r["recs"] == "Wijk"
    }
    lbm_by_code: dict[str, dict[int, dict[str, str]]] = {}
    for r in lbm:
        lbm_by_code.setdefault(r["bu_code"], {})[int(r["jaar"])] = r

    buurten = []
    for r in kwb:
        homes = _number(r["a_woning"])
        code = r["gwb_code_10"]
        if r["recs"] != "Buurt" or homes is None or homes <= 0:
            continue
        if SCORE_YEAR not in lbm_by_code.get(code, {}):
            continue
        buurten.append(r)
    codes = [r["gwb_code_10"] for r in buurten]

    # Leefbaarometer dimensions, in SD units of the 2024 spread over these buurten.
    scores: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in codes}
    for key, (col, _label, _weight) in LBM_DOMAINS.items():
        current = {c: _number(lbm_by_code[c][SCORE_YEAR][col]) for c in codes}
        present = [v for v in current.values() if v is not None]
        spread = _pstdev(present)
        for c in codes:
            value = current[c]
            if value is None:
                continue
            history = [
                (year, v)
                for year in TREND_YEARS
                if year in lbm_by_code[c] and (v := _number(lbm_by_code[c][year][col])) is not None
            ]
            trend = _slope(history) / spread if len(history) >= 2 else 0.0
            scores[c][key] = {
                "score": round(value / spread, 4),
                "trend": round(trend, 4),
                "target": 0.0,
                "score_year": SCORE_YEAR,
            }

    # Social assistance rate against the Utrecht rate, in SD units of the buurt rates.
    reference = float(gemeente["a_soz_wb"]) / float(gemeente["a_inw"])
    rates: dict[str, float] = {}
    for r in buurten:
        benefits, inhabitants = _number(r["a_soz_wb"]), _number(r["a_inw"])
        if benefits is None or inhabitants is None or inhabitants < MIN_INHABITANTS_FOR_RATE:
            continue
        rates[r["gwb_code_10"]] = benefits / inhabitants
    spread = _pstdev(list(rates.values()))
    for c, rate in rates.items():
        scores[c][VULNERABLE[0]] = {
            "score": round((reference - rate) / spread, 4),
            "trend": 0.0,
            "target": 0.0,
            "score_year": KWB_YEAR,
        }

    neighbourhoods = []
    for r in buurten:
        code = r["gwb_code_10"]
        homes = int(float(r["a_woning"]))
        corp_pct = _number(r["p_wcorpw"]) or 0.0
        neighbourhoods.append(
            {
                "code": code,
                "name": r["regio"],
                "district": wijk_names["WK" + r["gwb_code_8"][:6]],
                "municipality": "Utrecht",
                "homes": homes,
                "regulated_homes": round(homes * corp_pct / 100),
                "scores": scores[code],
            }
        )
    return neighbourhoods, {r["gwb_code_10"]: r for r in buurten}


def _corporation_share(row: dict[str, str]) -> float:
    return _number(row["p_wcorpw"]) or 0.0


def build() -> dict[str, Any]:
    neighbourhoods, kwb = load_neighbourhoods()
    codes = [n["code"] for n in neighbourhoods]

    # Eligibility lists drawn from the data.
    corp_40 = [c for c in codes if _corporation_share(kwb[c]) >= 40]
    corp_50 = [c for c in codes if _corporation_share(kwb[c]) >= 50]
    # Nuisance hotspots agreed with gemeente and police: the 15 lowest nuisance scores.
    by_nuisance = sorted(
        (n for n in neighbourhoods if "nuisance_safety" in n["scores"]),
        key=lambda n: (n["scores"]["nuisance_safety"]["score"], n["code"]),
    )
    hotspots = sorted(n["code"] for n in by_nuisance[:15])

    domains = [
        {"key": key, "label": label, "weight": weight}
        for key, (_col, label, weight) in LBM_DOMAINS.items()
    ]
    domains.append({"key": VULNERABLE[0], "label": VULNERABLE[1], "weight": VULNERABLE[2]})

    def intervention(**fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "effect_persists": False,
            "partner_contributions": [],
            "uses": {},
            "eligible": None,
            "exclusive_group": None,
            "requires": [],
            "max_per_neighbourhood": 1,
            "counts_toward_cap": True,
        }
        base.update(fields)
        order = [
            "key",
            "name",
            "domain",
            "effects",
            "cost",
            "duration_years",
            "lag_years",
            "effect_persists",
            "partner_contributions",
            "uses",
            "eligible",
            "exclusive_group",
            "requires",
            "max_per_neighbourhood",
            "max_total",
            "counts_toward_cap",
        ]
        return {k: base[k] for k in order if k in base}

    interventions = [
        intervention(
            key="caretaker",
            name="Buurtbeheerder",
            domain="nuisance_safety",
            effects={"nuisance_safety": 0.2, "social_cohesion": 0.06, "physical_environment": 0.05},
            cost={"fixed": 68000, "per_home": 0},
            duration_years=None,
            lag_years=0,
            partner_contributions=[{"partner": "gemeente_utrecht", "share": 0.25}],
            uses={"staff_fte": 1.0},
            exclusive_group="toezicht",
        ),
        intervention(
            key="door_porter",
            name="Portiekportier",
            domain="nuisance_safety",
            effects={"nuisance_safety": 0.18, "physical_environment": 0.05, "housing_stock": 0.03},
            cost={"fixed": 22000, "per_home": 12},
            duration_years=2,
            lag_years=0,
            uses={"staff_fte": 0.6},
            eligible={"codes": corp_50, "min_gap": {"nuisance_safety": 0.5}},
            exclusive_group="toezicht",
        ),
        intervention(
            key="lighting_cameras",
            name="Verlichting en cameratoezicht",
            domain="nuisance_safety",
            effects={"nuisance_safety": 0.1},
            cost={"fixed": [60000, 10000, 10000], "per_home": 0},
            duration_years=3,
            lag_years=0,
            partner_contributions=[{"partner": "gemeente_utrecht", "share": 0.2}],
            uses={"staff_fte": 0.05},
            eligible=hotspots,
        ),
        intervention(
            key="mediation",
            name="Buurtbemiddeling",
            domain="nuisance_safety",
            effects={"nuisance_safety": 0.05, "social_cohesion": 0.02},
            cost={"fixed": 15000, "per_home": 3},
            duration_years=2,
            lag_years=0,
            partner_contributions=[{"partner": "gemeente_utrecht", "share": 0.5}],
            uses={"staff_fte": 0.05},
            eligible={"min_gap": {"nuisance_safety": 0.25}},
        ),
        intervention(
            key="neighbourhood_coach",
            name="Buurtcoach",
            domain="social_cohesion",
            effects={"social_cohesion": 0.1, "vulnerable_residents": 0.04},
            cost={"fixed": [32000, 28000], "per_home": 2.0},
            duration_years=2,
            lag_years=1,
            partner_contributions=[{"partner": "welzijnspartner", "share": 0.4}],
            uses={"staff_fte": 0.2},
            eligible={"min_gap": {"social_cohesion": 0.2}},
        ),
        intervention(
            key="community_centre",
            name="Buurthuisprogramma",
            domain="social_cohesion",
            effects={"social_cohesion": 0.1, "amenities": 0.06},
            cost={"fixed": 30000, "per_home": 0},
            duration_years=2,
            lag_years=0,
            partner_contributions=[{"partner": "gemeente_utrecht", "amount_per_year": 10000}],
            uses={"staff_fte": 0.15},
            requires=["neighbourhood_coach"],
        ),
        intervention(
            key="debt_counselling",
            name="Vroegsignalering en schuldhulpverlening",
            domain="vulnerable_residents",
            effects={"vulnerable_residents": 0.12, "social_cohesion": 0.02},
            cost={"fixed": 25000, "per_home": 8},
            duration_years=2,
            lag_years=0,
            partner_contributions=[
                {"partner": "gemeente_utrecht", "share": 0.3},
                {"partner": "welzijnspartner", "amount_per_year": 6000},
            ],
            uses={"staff_fte": 0.2},
            eligible={"min_gap": {"vulnerable_residents": 0.25}},
        ),
        intervention(
            key="front_door_visits",
            name="Achter-de-voordeuraanpak",
            domain="vulnerable_residents",
            effects={"vulnerable_residents": 0.12, "nuisance_safety": 0.04},
            cost={"fixed": 8000, "per_home": 12},
            duration_years=1,
            lag_years=0,
            partner_contributions=[{"partner": "welzijnspartner", "share": 0.35}],
            uses={"staff_fte": 0.4},
            eligible={"min_gap": {"vulnerable_residents": 0.5}},
            max_per_neighbourhood=2,
        ),
        intervention(
            key="facade_renewal",
            name="Gevel- en entreerenovatie",
            domain="housing_stock",
            effects={"housing_stock": 0.35, "physical_environment": 0.12},
            cost={"fixed": [15000, 5000], "per_home": [30, 10]},
            duration_years=2,
            lag_years=1,
            effect_persists=True,
            uses={"staff_fte": 0.1},
            eligible={"codes": corp_40, "min_gap": {"housing_stock": 0.5}},
            max_total=4,
            counts_toward_cap=False,
        ),
        intervention(
            key="housing_consultant",
            name="Woonconsulent met wijkspreekuur",
            domain="housing_stock",
            effects={"housing_stock": 0.04, "vulnerable_residents": 0.06, "nuisance_safety": 0.03},
            cost={"fixed": 0, "per_home": 12},
            duration_years=1,
            lag_years=0,
            uses={"staff_fte": 0.3},
            max_per_neighbourhood=None,
        ),
        intervention(
            key="greening",
            name="Vergroenen openbare ruimte en tuinen",
            domain="physical_environment",
            effects={"physical_environment": 0.1, "social_cohesion": 0.02},
            cost={"fixed": 20000, "per_home": 6},
            duration_years=1,
            lag_years=1,
            effect_persists=True,
            partner_contributions=[{"partner": "gemeente_utrecht", "share": 0.4}],
            uses={"staff_fte": 0.05},
            eligible={"min_gap": {"physical_environment": 0.5}},
        ),
        intervention(
            key="playground",
            name="Renovatie speelplaats",
            domain="amenities",
            effects={"amenities": 0.15, "social_cohesion": 0.03},
            cost={"fixed": 55000, "per_home": 0},
            duration_years=1,
            lag_years=1,
            effect_persists=True,
            partner_contributions=[{"partner": "gemeente_utrecht", "amount_per_year": 20000}],
            uses={"staff_fte": 0.05},
            max_total=5,
        ),
    ]

    # Locks: the caretaker in Kanaleneiland-Zuid is already agreed with the gemeente; the
    # gemeente places cameras itself in the worst nuisance hotspot, so the corporation does not.
    lock_false = by_nuisance[0]["code"]

    return {
        "name": "Utrecht 2027–2029",
        "start_year": START_YEAR,
        "horizon_years": HORIZON,
        "domains": domains,
        "neighbourhoods": neighbourhoods,
        "partners": [
            {"key": "gemeente_utrecht", "budget": {"total": 600000}},
            {"key": "welzijnspartner", "budget": {"per_year": [250000, 250000, 250000]}},
        ],
        "interventions": interventions,
        "budget": {"total": 2100000, "per_year": [800000, 750000, 700000]},
        "resources": {"staff_fte": {"per_year": [13, 13, 13]}},
        "rules": {
            "domain_budget": {
                "housing_stock": {"total": 300000, "per_year": [200000, 150000, 100000]},
            },
            "domain_share": {
                "nuisance_safety": {"min": 0.2, "max": 0.6},
                "social_cohesion": {"min": 0.1},
                "vulnerable_residents": {"max": 0.35},
            },
            "max_neighbourhood_share": 0.15,
            "area_budget": [
                {"municipality": "Utrecht", "district": "Overvecht", "total": 700000},
                {"district": "Zuidwest", "total": 750000},
            ],
            "cap_per_regulated_home": 130,
            "locks": [
                {"intervention": "caretaker", "neighbourhood": "BU03440831", "fund": True},
                {"intervention": "lighting_cameras", "neighbourhood": lock_false, "fund": False},
            ],
        },
        "objective": {
            "equity": "prioritarian",
            "equity_strength": 1.0,
            "segments": 4,
            "cap_at_target": True,
            "discount_rate": 0.0,
        },
        "solver": {"name": "highs", "time_limit_s": 60, "mip_gap": 0.001},
    }


def main() -> None:
    scenario = build()
    OUT_FILE.write_text(json.dumps(scenario, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    homes = sum(n["homes"] for n in scenario["neighbourhoods"])
    print(
        f"wrote {OUT_FILE.relative_to(ROOT)}: {len(scenario['neighbourhoods'])} buurten, "
        f"{homes} homes, {len(scenario['interventions'])} interventions"
    )


if __name__ == "__main__":
    main()
