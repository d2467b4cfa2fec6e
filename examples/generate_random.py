"""Large random planning questions (contract v1) for benchmarks and scale tests.

    python -m examples.generate_random --neighbourhoods 300 --interventions 40 --seed 1 > s.json

Realistic but not flattering: every rule of DESIGN §3 is in use, all 8 default domains have
gaps, most interventions are eligible almost everywhere, and the budgets fund a fraction of
what would be useful. The same arguments always give the same document.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

DOMAINS = (
    "physical_environment",
    "housing_stock",
    "amenities",
    "social_cohesion",
    "nuisance_safety",
    "vulnerable_residents",
    "rent_arrears",
    "social_mobility",
)
DISTRICTS_PER_MUNICIPALITY = 12


def _neighbourhoods(rng: np.random.Generator, count: int, horizon: int) -> list[dict[str, Any]]:
    municipalities = max(1, count // 120)
    homes = np.clip(rng.lognormal(7.3, 0.6, count), 150, 12000).round()
    regulated = (homes * rng.uniform(0.15, 0.8, count)).round()
    # A neighbourhood's domains are correlated: some buurten are behind on most of them.
    deprivation = rng.normal(0, 1, count)
    hoods = []
    for n in range(count):
        municipality = int(rng.integers(municipalities))
        scores = {}
        for domain in DOMAINS:
            score = -0.35 + 0.45 * deprivation[n] * -1 + rng.normal(0, 0.45)
            scores[domain] = {
                "score": round(float(score), 3),
                "trend": round(float(rng.normal(-0.01, 0.03)), 3),
                "target": 0.0,
            }
        hoods.append(
            {
                "code": f"BU{municipality:04d}{n:06d}",
                "name": f"Buurt {n}",
                "district": f"Wijk {municipality}-{int(rng.integers(DISTRICTS_PER_MUNICIPALITY))}",
                "municipality": f"Gemeente {municipality}",
                "homes": float(homes[n]),
                "regulated_homes": float(regulated[n]),
                "scores": scores,
            }
        )
    return hoods


def _interventions(
    rng: np.random.Generator, count: int, horizon: int, codes: list[str]
) -> list[dict[str, Any]]:
    items = []
    for k in range(count):
        primary = DOMAINS[k % len(DOMAINS)]
        effects = {primary: round(float(rng.uniform(0.04, 0.25)), 3)}
        for other in rng.choice(
            [d for d in DOMAINS if d != primary], size=int(rng.integers(0, 3)), replace=False
        ):
            effects[str(other)] = round(float(rng.uniform(0.01, 0.08)), 3)
        duration: int | None = int(rng.integers(1, horizon + 1))
        if k % 13 == 5:
            duration = None
        fixed = round(float(rng.choice([0, 1]) * rng.uniform(5_000, 80_000)), -2)
        per_home = round(float(rng.uniform(0, 25)), 1)
        item: dict[str, Any] = {
            "key": f"int{k:02d}",
            "name": f"Interventie {k}",
            "domain": primary,
            "effects": effects,
            "cost": {"fixed": fixed, "per_home": per_home},
            "duration_years": duration,
            "lag_years": int(rng.integers(0, 2)),
            "effect_persists": bool(k % 7 == 3),
            "uses": {"staff_fte": round(float(rng.uniform(0.05, 0.8)), 2)},
            "counts_toward_cap": bool(k % 9 != 4),
        }
        if k % 5 == 0:
            item["partner_contributions"] = [{"partner": "gemeente", "share": 0.3}]
        elif k % 5 == 1:
            item["partner_contributions"] = [{"partner": "zorgpartner", "amount_per_year": 5_000}]
        if k % 6 == 2:  # eligible only where the gap in its domain is real
            item["eligible"] = {"min_gap": {primary: 0.2}}
        elif k % 17 == 3:
            chosen = rng.choice(codes, size=max(1, len(codes) // 2), replace=False)
            item["eligible"] = sorted(str(code) for code in chosen)
        if k % 10 in (7, 8):
            item["exclusive_group"] = f"group{k // 10}"
        if k % 11 == 6:
            item["max_per_neighbourhood"] = 2
        if k % 8 == 1:
            item["max_total"] = max(1, len(codes) // 10)
        items.append(item)
    for k in range(4, count, 15):  # a few prerequisites, always on an earlier intervention
        items[k]["requires"] = [items[k - 3]["key"]]
    return items


def _affordable_lock(
    interventions: list[dict[str, Any]], hoods: list[dict[str, Any]], cap: float
) -> dict[str, Any]:
    """A lock-in that the per-home cap and the budgets can carry: a cheap run in a large buurt."""
    free = [
        i
        for i in interventions
        if "eligible" not in i and "requires" not in i and i["duration_years"] is not None
    ]
    cheapest = min(free, key=lambda i: i["cost"]["fixed"] + i["cost"]["per_home"] * 1000)
    largest = max(hoods, key=lambda h: h["regulated_homes"])
    return {"intervention": cheapest["key"], "neighbourhood": largest["code"], "fund": True}


def random_scenario(
    n_neighbourhoods: int, n_interventions: int, horizon_years: int = 3, seed: int = 0
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    hoods = _neighbourhoods(rng, n_neighbourhoods, horizon_years)
    codes = [h["code"] for h in hoods]
    interventions = _interventions(rng, n_interventions, horizon_years, codes)
    total_homes = sum(h["homes"] for h in hoods)
    yearly = round(total_homes * 14.0, -3)  # about €14 per home per year
    districts = sorted({h["district"] for h in hoods})
    area_budget = [
        {"district": d, "total": round(yearly * horizon_years * 0.08, -3)}
        for d in districts[:: max(1, len(districts) // 3)]
    ]
    staff = round(n_neighbourhoods * 0.12 + 2, 1)
    locks = [
        _affordable_lock(interventions, hoods, cap=120.0),
        {"intervention": interventions[2]["key"], "neighbourhood": codes[-1], "fund": False},
    ]
    return {
        "name": f"Random {n_neighbourhoods} x {n_interventions} x {horizon_years} (seed {seed})",
        "start_year": 2027,
        "horizon_years": horizon_years,
        "neighbourhoods": hoods,
        "partners": [
            {"key": "gemeente", "budget": {"total": round(yearly * 0.4 * horizon_years, -3)}},
            {
                "key": "zorgpartner",
                "budget": {"per_year": [round(yearly * 0.1, -3)] * horizon_years},
            },
        ],
        "interventions": interventions,
        "budget": {"total": yearly * horizon_years * 0.95, "per_year": [yearly] * horizon_years},
        "resources": {"staff_fte": {"per_year": [staff] * horizon_years}},
        "rules": {
            "domain_share": {
                "nuisance_safety": {"min": 0.1, "max": 0.4},
                "social_cohesion": {"min": 0.05},
            },
            "domain_budget": {"housing_stock": {"total": round(yearly * horizon_years * 0.2, -3)}},
            "max_neighbourhood_share": 0.25 if n_neighbourhoods >= 20 else 0.6,
            "area_budget": area_budget,
            "cap_per_regulated_home": 120,
            "locks": locks,
        },
        "objective": {
            "equity": "prioritarian",
            "equity_strength": 1.0,
            "segments": 4,
            "cap_at_target": True,
            "discount_rate": 0.02,
        },
        "solver": {"name": "highs", "time_limit_s": 60, "mip_gap": 0.001},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Print a random scenario document.")
    parser.add_argument("--neighbourhoods", type=int, default=300)
    parser.add_argument("--interventions", type=int, default=40)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    document = random_scenario(
        options.neighbourhoods, options.interventions, options.years, options.seed
    )
    json.dump(document, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
