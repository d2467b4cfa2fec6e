"""Build ``examples/utrecht.json``: a corporation planning question for Utrecht, 2027–2029.

Run from the project root::

    python -m examples.build_utrecht

Data and credits
----------------
- ``app/data/buurten/kwb-2023-utrecht.csv`` — CBS, Kerncijfers wijken en buurten 2023.
  Bron: CBS (CC BY 4.0).
- ``app/data/buurten/leefbaarometer-2002-2024-utrecht.csv`` — Leefbaarometer 3.0 scores per buurt,
  metingen 2002–2024. Bron: Leefbaarometer 3.0, Ministerie van BZK.

See ``app/data/buurten/PROVENANCE.md`` for where the files come from and what the columns mean.

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

import json
from pathlib import Path
from typing import Any

from examples.utrecht_data import (
    LBM_DOMAINS,
    ROOT,
    VULNERABLE,
    corporation_share,
    load_neighbourhoods,
)
from examples.utrecht_interventions import catalogue

OUT_FILE = Path(__file__).resolve().parent / "utrecht.json"

START_YEAR = 2027
HORIZON = 3


def build() -> dict[str, Any]:
    neighbourhoods, kwb = load_neighbourhoods()
    codes = [n["code"] for n in neighbourhoods]

    # Eligibility lists drawn from the data.
    corp_40 = [c for c in codes if corporation_share(kwb[c]) >= 40]
    corp_50 = [c for c in codes if corporation_share(kwb[c]) >= 50]
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

    interventions = catalogue(corp_40, corp_50, hotspots)

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
