#!/usr/bin/env python3
"""Write a corporation-size scenario (contract v1 of DESIGN.md) from a second generator, with other
distributions than the project's own: N neighbourhoods x K interventions x H years, every rule in
use, seeded.

  gen_corporation.py OUT.json [--neighbourhoods 300] [--interventions 40] [--years 3] [--seed 1]
"""
# Kept as its author wrote it (lines included), so that its scenarios stay the same.
# ruff: noqa: E501
import argparse
import json
import random

DOMAINS = ["physical_environment", "housing_stock", "amenities", "social_cohesion",
           "nuisance_safety", "vulnerable_residents", "rent_arrears", "social_mobility"]


def scenario(n_hoods, n_int, years, seed):
    rnd = random.Random(seed)
    hoods = []
    for k in range(n_hoods):
        homes = rnd.randint(150, 5000)
        scores = {}
        for d in DOMAINS:
            scores[d] = {"score": round(rnd.gauss(-0.25, 0.6), 3),
                         "trend": round(rnd.gauss(-0.02, 0.04), 3), "target": 0.0}
        hoods.append({"code": f"BU0599{k:04d}", "name": f"Buurt {k}", "homes": homes,
                      "regulated_homes": int(homes * rnd.uniform(0.3, 0.95)), "scores": scores})
    partners = [{"key": "municipality", "budget": {"total": 900_000 * n_hoods / 300}},
                {"key": "care_provider", "budget": {"total": 300_000 * n_hoods / 300}}]
    interventions = []
    for j in range(n_int):
        d = DOMAINS[j % len(DOMAINS)]
        other = rnd.choice([x for x in DOMAINS if x != d])
        dur = rnd.randint(1, years)
        item = {
            "key": f"iv{j:02d}", "name": f"Intervention {j}", "domain": d,
            "effects": {d: round(rnd.uniform(0.05, 0.4), 3), other: round(rnd.uniform(0.0, 0.1), 3)},
            "cost": {"fixed": rnd.randrange(5_000, 120_000, 500), "per_home": round(rnd.uniform(0, 25), 2)},
            "duration_years": dur, "lag_years": rnd.choice([0, 0, 0, 1]) if dur < years else 0,
            "effect_persists": rnd.random() < 0.2,
            "partner_contributions": ([{"partner": "municipality", "share": round(rnd.uniform(0.1, 0.5), 2)}]
                                      if rnd.random() < 0.4 else [])
                                     + ([{"partner": "care_provider", "share": 0.2}]
                                        if d == "vulnerable_residents" else []),
            "uses": {"staff_fte": round(rnd.uniform(0.0, 0.5), 2)},
            "eligible": ({"min_gap": {d: 0.2}} if rnd.random() < 0.3 else None),
            "exclusive_group": (f"g{j % 5}" if j < 10 else None),
            "requires": [], "max_per_neighbourhood": 1,
            "counts_toward_cap": rnd.random() < 0.7,
        }
        if j >= 35 and n_int > 35:
            item["requires"] = [f"iv{j - 35:02d}"]
        interventions.append(item)
    yearly = 4_000_000 * n_hoods / 300
    return {
        "name": f"Corporation {n_hoods}x{n_int}x{years} seed {seed}",
        "start_year": 2027, "horizon_years": years,
        "neighbourhoods": hoods, "partners": partners, "interventions": interventions,
        "budget": {"total": yearly * years * 0.9, "per_year": [yearly] * years},
        "resources": {"staff_fte": {"per_year": [25.0 * n_hoods / 300] * years}},
        "rules": {"domain_share": {"nuisance_safety": {"min": 0.1, "max": 0.5}},
                  "max_neighbourhood_share": max(0.02, 3.0 / n_hoods),
                  "cap_per_regulated_home": 150.0},
        "objective": {"equity": "prioritarian", "equity_strength": 1.0, "cap_at_target": True,
                      "discount_rate": 0.03},
        "solver": {"time_limit_s": 120, "mip_gap": 0.001},
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--neighbourhoods", type=int, default=300)
    ap.add_argument("--interventions", type=int, default=40)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    with open(a.out, "w") as fh:
        json.dump(scenario(a.neighbourhoods, a.interventions, a.years, a.seed), fh)
