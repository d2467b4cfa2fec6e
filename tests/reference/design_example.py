"""DESIGN §3's example scenario, verbatim, as a plain JSON dict."""

from __future__ import annotations

TARWEWIJK = "BU05991571"
CARNISSE = "BU05991488"

# DESIGN §3, verbatim.
DESIGN_EXAMPLE: dict = {
    "name": "Rotterdam-Zuid 2027-2029",
    "start_year": 2027,
    "horizon_years": 3,
    "domains": [
        {"key": "nuisance_safety", "label": "Overlast en onveiligheid", "weight": 1.0},
        {"key": "social_cohesion", "label": "Sociale samenhang", "weight": 0.8},
    ],
    "neighbourhoods": [
        {
            "code": TARWEWIJK,
            "name": "Tarwewijk",
            "district": "Charlois",
            "municipality": "Rotterdam",
            "homes": 5200,
            "regulated_homes": 2900,
            "scores": {
                "nuisance_safety": {"score": -0.41, "trend": -0.02, "target": 0.0},
                "social_cohesion": {"score": -0.12, "trend": -0.01, "target": 0.0},
            },
        },
        {
            "code": CARNISSE,
            "name": "Carnisse",
            "district": "Charlois",
            "municipality": "Rotterdam",
            "homes": 5000,
            "regulated_homes": 2600,
            "scores": {
                "nuisance_safety": {"score": -0.38, "trend": 0.01, "target": 0.0},
                "social_cohesion": {"score": -0.15, "trend": -0.02, "target": 0.0},
            },
        },
    ],
    "partners": [{"key": "municipality", "budget": {"total": 400000}}],
    "interventions": [
        {
            "key": "caretaker",
            "name": "Buurtbeheerder",
            "domain": "nuisance_safety",
            "effects": {"nuisance_safety": 0.15, "social_cohesion": 0.05},
            "cost": {"fixed": 65000, "per_home": 0},
            "duration_years": 3,
            "lag_years": 0,
            "effect_persists": False,
            "partner_contributions": [{"partner": "municipality", "share": 0.25}],
            "uses": {"staff_fte": 1.0},
            "eligible": None,
            "exclusive_group": None,
            "requires": [],
            "max_per_neighbourhood": 1,
            "counts_toward_cap": True,
        },
        {
            "key": "neighbourhood_coach",
            "name": "Buurtcoach",
            "domain": "social_cohesion",
            "effects": {"social_cohesion": 0.08},
            "cost": {"fixed": [30000, 25000], "per_home": 2.5},
            "duration_years": 2,
            "lag_years": 1,
            "effect_persists": True,
            "partner_contributions": [],
            "uses": {"staff_fte": 0.5},
            "eligible": {"min_gap": {"social_cohesion": 0.1}},
            "exclusive_group": None,
            "requires": [],
            "max_per_neighbourhood": 1,
            "counts_toward_cap": True,
        },
    ],
    "budget": {"total": 500000, "per_year": [200000, 200000, 200000]},
    "resources": {"staff_fte": {"per_year": [3, 3, 3]}},
    "rules": {
        "domain_share": {"nuisance_safety": {"min": 0.2, "max": 0.8}},
        "max_neighbourhood_share": 0.7,
        "area_budget": [{"municipality": "Rotterdam", "total": 450000}],
        "cap_per_regulated_home": 40,
        "locks": [{"intervention": "caretaker", "neighbourhood": TARWEWIJK, "fund": True}],
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
