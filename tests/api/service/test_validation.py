"""Every rule of contract v1 (DESIGN §3 "Validation"): a broken document answers 422 with a
problem document naming the exact JSON path of the offending field."""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import DELETE, assert_problem, edit, post_document

Edits = list[tuple[str, Any]]

UNKNOWN_FIELDS: list[tuple[str, Edits, str]] = [
    ("top-level typo", [("budjet", 500000)], "budjet"),
    ("nested typo", [("interventions[0].costs", {"fixed": 1})], "interventions[0].costs"),
    ("score typo", [("neighbourhoods[0].scores.nuisance_safety.goal", 0.1)],
     "neighbourhoods[0].scores.nuisance_safety.goal"),
    ("rules typo", [("rules.lock", [])], "rules.lock"),
    ("solver typo", [("solver.timelimit", 5)], "solver.timelimit"),
    ("contribution typo", [("interventions[0].partner_contributions[0].shar", 0.1)],
     "interventions[0].partner_contributions[0].shar"),
]

MISSING: list[tuple[str, Edits, str]] = [
    ("start_year", [("start_year", DELETE)], "start_year"),
    ("horizon_years", [("horizon_years", DELETE)], "horizon_years"),
    ("neighbourhoods", [("neighbourhoods", DELETE)], "neighbourhoods"),
    ("homes", [("neighbourhoods[0].homes", DELETE)], "neighbourhoods[0].homes"),
    ("intervention domain", [("interventions[0].domain", DELETE)], "interventions[0].domain"),
    ("lock fund", [("rules.locks[0].fund", DELETE)], "rules.locks[0].fund"),
    ("score", [("neighbourhoods[1].scores.social_cohesion.score", DELETE)],
     "neighbourhoods[1].scores.social_cohesion.score"),
]

WRONG_TYPES: list[tuple[str, Edits, str]] = [
    ("start_year text", [("start_year", "soon")], "start_year"),
    ("horizon fraction", [("horizon_years", 2.5)], "horizon_years"),
    ("homes text", [("neighbourhoods[0].homes", "many")], "neighbourhoods[0].homes"),
    ("persists text", [("interventions[0].effect_persists", "perhaps")],
     "interventions[0].effect_persists"),
    ("effects list", [("interventions[0].effects", [0.1])], "interventions[0].effects"),
    ("interventions text", [("interventions", "caretaker")], "interventions"),
    ("budget number", [("budget", 500000)], "budget"),
    ("eligible number", [("interventions[1].eligible", 5)], "interventions[1].eligible"),
    ("score text", [("neighbourhoods[0].scores.nuisance_safety.score", "low")],
     "neighbourhoods[0].scores.nuisance_safety.score"),
    ("locks object", [("rules.locks", {"caretaker": True})], "rules.locks"),
    ("fixed text", [("interventions[0].cost.fixed", "65k")], "interventions[0].cost.fixed"),
]

RANGES: list[tuple[str, Edits, str]] = [
    ("negative fixed cost", [("interventions[0].cost.fixed", -1)], "interventions[0].cost.fixed"),
    ("negative fixed cost in list", [("interventions[1].cost.fixed", [30000, -1])],
     "interventions[1].cost.fixed[1]"),
    ("negative per-home cost", [("interventions[1].cost.per_home", -2.5)],
     "interventions[1].cost.per_home"),
    ("negative budget", [("budget.total", -1)], "budget.total"),
    ("negative budget year", [("budget.per_year", [200000, -1, 200000])], "budget.per_year[1]"),
    ("negative partner budget", [("partners[0].budget.total", -1)], "partners[0].budget.total"),
    ("negative resource", [("resources.staff_fte.per_year", [3, -1, 3])],
     "resources.staff_fte.per_year[1]"),
    ("negative homes", [("neighbourhoods[0].homes", -1)], "neighbourhoods[0].homes"),
    ("negative regulated homes", [("neighbourhoods[0].regulated_homes", -1)],
     "neighbourhoods[0].regulated_homes"),
    ("negative weight", [("domains[0].weight", -1)], "domains[0].weight"),
    ("negative effect", [("interventions[0].effects.nuisance_safety", -0.1)],
     "interventions[0].effects.nuisance_safety"),
    ("negative use", [("interventions[0].uses.staff_fte", -1)], "interventions[0].uses.staff_fte"),
    ("zero duration", [("interventions[0].duration_years", 0)], "interventions[0].duration_years"),
    ("negative lag", [("interventions[1].lag_years", -1)], "interventions[1].lag_years"),
    ("zero max per neighbourhood", [("interventions[0].max_per_neighbourhood", 0)],
     "interventions[0].max_per_neighbourhood"),
    ("negative max total", [("interventions[0].max_total", -1)], "interventions[0].max_total"),
    ("share above 1", [("interventions[0].partner_contributions[0].share", 1.5)],
     "interventions[0].partner_contributions[0].share"),
    ("negative share", [("interventions[0].partner_contributions[0].share", -0.1)],
     "interventions[0].partner_contributions[0].share"),
    ("negative amount", [("interventions[0].partner_contributions[0]",
                          {"partner": "municipality", "amount_per_year": -1})],
     "interventions[0].partner_contributions[0].amount_per_year"),
    ("neighbourhood share above 1", [("rules.max_neighbourhood_share", 1.5)],
     "rules.max_neighbourhood_share"),
    ("domain share above 1", [("rules.domain_share.nuisance_safety.max", 1.2)],
     "rules.domain_share.nuisance_safety.max"),
    ("negative cap", [("rules.cap_per_regulated_home", -1)], "rules.cap_per_regulated_home"),
    ("unknown equity", [("objective.equity", "utilitarian")], "objective.equity"),
    ("zero segments", [("objective.segments", 0)], "objective.segments"),
    ("negative discount", [("objective.discount_rate", -0.1)], "objective.discount_rate"),
    ("negative equity strength", [("objective.equity_strength", -1)],
     "objective.equity_strength"),
    ("unknown solver", [("solver.name", "gurobi")], "solver.name"),
    ("zero time limit", [("solver.time_limit_s", 0)], "solver.time_limit_s"),
    ("negative time limit", [("solver.time_limit_s", -5)], "solver.time_limit_s"),
    ("gap above 1", [("solver.mip_gap", 1.5)], "solver.mip_gap"),
    ("negative gap", [("solver.mip_gap", -0.1)], "solver.mip_gap"),
    ("zero threads", [("solver.threads", 0)], "solver.threads"),
    ("negative seed", [("solver.random_seed", -1)], "solver.random_seed"),
    ("seed beyond 32 bits", [("solver.random_seed", 2**31)], "solver.random_seed"),
    ("seed as text", [("solver.random_seed", "7")], "solver.random_seed"),
    ("start year too early", [("start_year", 1800)], "start_year"),
    ("zero horizon", [("horizon_years", 0)], "horizon_years"),
    ("horizon too long", [("horizon_years", 31)], "horizon_years"),
    ("no neighbourhoods", [("neighbourhoods", [])], "neighbourhoods"),
    ("empty code", [("neighbourhoods[0].code", "")], "neighbourhoods[0].code"),
    ("empty intervention key", [("interventions[0].key", "")], "interventions[0].key"),
]

NOT_FINITE: list[tuple[str, Edits, str]] = [
    ("NaN budget", [("budget.total", math.nan)], "budget.total"),
    ("Infinity homes", [("neighbourhoods[0].homes", math.inf)], "neighbourhoods[0].homes"),
    ("-Infinity cost", [("interventions[0].cost.fixed", -math.inf)],
     "interventions[0].cost.fixed"),
    ("NaN score", [("neighbourhoods[0].scores.nuisance_safety.score", math.nan)],
     "neighbourhoods[0].scores.nuisance_safety.score"),
    ("NaN trend", [("neighbourhoods[0].scores.nuisance_safety.trend", math.nan)],
     "neighbourhoods[0].scores.nuisance_safety.trend"),
    ("Infinity time limit", [("solver.time_limit_s", math.inf)], "solver.time_limit_s"),
    ("NaN effect", [("interventions[0].effects.social_cohesion", math.nan)],
     "interventions[0].effects.social_cohesion"),
]

OTHER_DOMAIN = {"score": -0.2}

CROSS_REFERENCES: list[tuple[str, Edits, str]] = [
    ("partner shares above 1", [("interventions[0].partner_contributions",
                                 [{"partner": "municipality", "share": 0.6},
                                  {"partner": "municipality", "share": 0.5}])],
     "interventions[0].partner_contributions"),
    ("share and amount", [("interventions[0].partner_contributions[0].amount_per_year", 1000)],
     "interventions[0].partner_contributions[0]"),
    ("neither share nor amount", [("interventions[0].partner_contributions[0].share", DELETE)],
     "interventions[0].partner_contributions[0]"),
    ("regulated above homes", [("neighbourhoods[0].regulated_homes", 6000)],
     "neighbourhoods[0].regulated_homes"),
    ("unknown domain in effects", [("interventions[0].effects.safety", 0.1)],
     "interventions[0].effects.safety"),
    ("unknown domain in scores", [("neighbourhoods[0].scores.safety", OTHER_DOMAIN)],
     "neighbourhoods[0].scores.safety"),
    ("unknown primary domain", [("interventions[0].domain", "safety")], "interventions[0].domain"),
    ("unknown domain in domain_share", [("rules.domain_share.safety", {"min": 0.1})],
     "rules.domain_share.safety"),
    ("unknown domain in domain_budget", [("rules.domain_budget.safety", {"total": 1000})],
     "rules.domain_budget.safety"),
    ("unknown domain in min_gap", [("interventions[1].eligible.min_gap.safety", 0.1)],
     "interventions[1].eligible.min_gap.safety"),
    ("default catalogue lacks domain", [("domains", DELETE), ("interventions[0].effects.safety",
                                                              0.1)],
     "interventions[0].effects.safety"),
    ("unknown partner", [("interventions[0].partner_contributions[0].partner", "police")],
     "interventions[0].partner_contributions[0].partner"),
    ("unknown resource", [("interventions[0].uses.cranes", 1)], "interventions[0].uses.cranes"),
    ("unknown neighbourhood in eligible list", [("interventions[0].eligible",
                                                 ["BU05991571", "BU00000000"])],
     "interventions[0].eligible[1]"),
    ("unknown neighbourhood in eligible codes", [("interventions[1].eligible.codes",
                                                  ["BU00000000"])],
     "interventions[1].eligible.codes[0]"),
    ("unknown neighbourhood in lock", [("rules.locks[0].neighbourhood", "BU00000000")],
     "rules.locks[0].neighbourhood"),
    ("unknown intervention in requires", [("interventions[1].requires", ["street_lights"])],
     "interventions[1].requires[0]"),
    ("unknown intervention in lock", [("rules.locks[0].intervention", "street_lights")],
     "rules.locks[0].intervention"),
    ("requires itself", [("interventions[0].requires", ["caretaker"])],
     "interventions[0].requires[0]"),
    ("requires cycle", [("interventions[0].requires", ["neighbourhood_coach"]),
                        ("interventions[1].requires", ["caretaker"])],
     "interventions[1].requires"),
    ("duplicate neighbourhood code", [("neighbourhoods[1].code", "BU05991571")],
     "neighbourhoods[1].code"),
    ("duplicate intervention key", [("interventions[1].key", "caretaker")],
     "interventions[1].key"),
    ("duplicate partner key", [("partners", [{"key": "municipality"}, {"key": "municipality"}])],
     "partners[1].key"),
    ("duplicate domain key", [("domains[1].key", "nuisance_safety")], "domains[1].key"),
]

LENGTHS_AND_FIT: list[tuple[str, Edits, str]] = [
    ("budget per_year", [("budget.per_year", [200000, 200000])], "budget.per_year"),
    ("partner budget per_year", [("partners[0].budget.per_year", [1, 2, 3, 4])],
     "partners[0].budget.per_year"),
    ("resource per_year", [("resources.staff_fte.per_year", [3, 3])],
     "resources.staff_fte.per_year"),
    ("domain_budget per_year", [("rules.domain_budget.nuisance_safety", {"per_year": [1]})],
     "rules.domain_budget.nuisance_safety.per_year"),
    ("area_budget per_year", [("rules.area_budget[0].per_year", [1, 2, 3, 4])],
     "rules.area_budget[0].per_year"),
    ("fixed cost list longer than duration", [("interventions[1].cost.fixed", [3, 2, 1])],
     "interventions[1].cost.fixed"),
    ("per-home list shorter than duration", [("interventions[1].cost.per_home", [2.5])],
     "interventions[1].cost.per_home"),
    ("cost list against horizon when duration null",
     [("interventions[1].duration_years", None)], "interventions[1].cost.fixed"),
    ("duration beyond horizon", [("interventions[0].duration_years", 4)],
     "interventions[0].duration_years"),
    ("lock year after horizon", [("rules.locks[0].start_year", 2030)],
     "rules.locks[0].start_year"),
    ("lock year before horizon", [("rules.locks[0].start_year", 2026)],
     "rules.locks[0].start_year"),
    ("area_budget names no area", [("rules.area_budget[0].municipality", DELETE)],
     "rules.area_budget[0]"),
    ("area_budget matches no municipality", [("rules.area_budget[0].municipality", "Amsterdam")],
     "rules.area_budget[0]"),
    ("area_budget district does not match", [("rules.area_budget[0].district", "Feijenoord")],
     "rules.area_budget[0]"),
    ("domain_share min above max", [("rules.domain_share.nuisance_safety",
                                     {"min": 0.8, "max": 0.2})],
     "rules.domain_share.nuisance_safety.min"),
]

CASES = UNKNOWN_FIELDS + MISSING + WRONG_TYPES + RANGES + NOT_FINITE + CROSS_REFERENCES \
    + LENGTHS_AND_FIT


def test_the_design_example_is_valid(api_client: TestClient, design_example: dict) -> None:
    response = post_document(api_client, design_example)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "optimal"


@pytest.mark.parametrize(("edits", "expected_path"), [pytest.param(e, p, id=i)
                                                      for i, e, p in CASES])
def test_a_broken_document_names_the_offending_path(
    api_client: TestClient, design_example: dict, edits: Edits, expected_path: str
) -> None:
    for path, value in edits:
        edit(design_example, path, value)

    problem = assert_problem(post_document(api_client, design_example), 422, "validation")

    paths = [error["path"] for error in problem["errors"]]
    assert expected_path in paths, problem["errors"]
    assert all(error["message"] for error in problem["errors"])
    assert expected_path in problem["detail"] or len(paths) > 1


def test_every_error_is_reported_at_once(api_client: TestClient, design_example: dict) -> None:
    edit(design_example, "interventions[0].partner_contributions[0].partner", "police")
    edit(design_example, "rules.locks[0].neighbourhood", "BU00000000")
    edit(design_example, "budget.per_year", [1])

    problem = assert_problem(post_document(api_client, design_example), 422, "validation")

    assert {error["path"] for error in problem["errors"]} == {
        "interventions[0].partner_contributions[0].partner",
        "rules.locks[0].neighbourhood",
        "budget.per_year",
    }
