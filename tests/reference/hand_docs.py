"""Small hand-made scenario documents for the reference evaluator's tests."""

from __future__ import annotations


def tiny(
    *,
    horizon: int = 1,
    start_year: int = 2030,
    scores: dict | None = None,
    effect: float = 0.1,
    objective: dict | None = None,
    homes: float = 100,
    **intervention: object,
) -> dict:
    """One neighbourhood ("N1", 100 homes), one domain "a" (weight 1), one intervention "x"."""
    iv = {
        "key": "x",
        "domain": "a",
        "effects": {"a": effect},
        "cost": {"fixed": 100},
        "duration_years": 1,
    }
    iv.update(intervention)
    return {
        "name": "tiny",
        "start_year": start_year,
        "horizon_years": horizon,
        "domains": [{"key": "a", "weight": 1.0}],
        "neighbourhoods": [
            {
                "code": "N1",
                "homes": homes,
                "regulated_homes": 0,
                "scores": scores if scores is not None else {"a": {"score": -0.1}},
            }
        ],
        "interventions": [iv],
        "objective": objective if objective is not None else {"equity": "linear"},
        "solver": {"name": "highs", "mip_gap": 0, "time_limit_s": 30},
    }


def rules_doc() -> dict:
    """Three buurten, two interventions, H = 2; no rules yet."""
    return {
        "name": "rules",
        "start_year": 2030,
        "horizon_years": 2,
        "domains": [{"key": "a"}, {"key": "b"}],
        "neighbourhoods": [
            {
                "code": "N1",
                "municipality": "M",
                "district": "D1",
                "homes": 100,
                "regulated_homes": 10,
                "scores": {"a": {"score": -0.3}, "b": {"score": -0.05}},
            },
            {
                "code": "N2",
                "municipality": "M",
                "district": "D2",
                "homes": 100,
                "regulated_homes": 10,
                "scores": {"a": {"score": -0.1}, "b": {"score": -0.3}},
            },
            {
                "code": "N3",
                "municipality": "Z",
                "district": "D1",
                "homes": 100,
                "regulated_homes": 10,
                "scores": {},
            },
        ],
        "interventions": [
            {
                "key": "x",
                "domain": "a",
                "effects": {"a": 0.1},
                "cost": {"fixed": 100},
                "duration_years": 1,
            },
            {
                "key": "y",
                "domain": "b",
                "effects": {"b": 0.1},
                "cost": {"fixed": 50},
                "duration_years": 1,
            },
        ],
        "solver": {"name": "highs", "mip_gap": 0, "time_limit_s": 30},
    }
