"""The reference evaluator against DESIGN §3's example and small hand calculations."""

from __future__ import annotations

import copy

import pytest

from tests.reference.evaluate import (
    brute_force,
    candidates,
    effect_years,
    gap,
    plan_value,
    plan_violations,
    run_costs,
    run_payments,
)

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
        {"code": TARWEWIJK, "name": "Tarwewijk", "district": "Charlois",
         "municipality": "Rotterdam", "homes": 5200, "regulated_homes": 2900,
         "scores": {"nuisance_safety": {"score": -0.41, "trend": -0.02, "target": 0.0},
                    "social_cohesion": {"score": -0.12, "trend": -0.01, "target": 0.0}}},
        {"code": CARNISSE, "name": "Carnisse", "district": "Charlois",
         "municipality": "Rotterdam", "homes": 5000, "regulated_homes": 2600,
         "scores": {"nuisance_safety": {"score": -0.38, "trend": 0.01, "target": 0.0},
                    "social_cohesion": {"score": -0.15, "trend": -0.02, "target": 0.0}}},
    ],
    "partners": [{"key": "municipality", "budget": {"total": 400000}}],
    "interventions": [
        {"key": "caretaker", "name": "Buurtbeheerder", "domain": "nuisance_safety",
         "effects": {"nuisance_safety": 0.15, "social_cohesion": 0.05},
         "cost": {"fixed": 65000, "per_home": 0},
         "duration_years": 3, "lag_years": 0, "effect_persists": False,
         "partner_contributions": [{"partner": "municipality", "share": 0.25}],
         "uses": {"staff_fte": 1.0},
         "eligible": None, "exclusive_group": None, "requires": [],
         "max_per_neighbourhood": 1, "counts_toward_cap": True},
        {"key": "neighbourhood_coach", "name": "Buurtcoach", "domain": "social_cohesion",
         "effects": {"social_cohesion": 0.08},
         "cost": {"fixed": [30000, 25000], "per_home": 2.5},
         "duration_years": 2, "lag_years": 1, "effect_persists": True,
         "partner_contributions": [],
         "uses": {"staff_fte": 0.5},
         "eligible": {"min_gap": {"social_cohesion": 0.1}}, "exclusive_group": None,
         "requires": [], "max_per_neighbourhood": 1, "counts_toward_cap": True},
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
    "objective": {"equity": "prioritarian", "equity_strength": 1.0, "segments": 4,
                  "cap_at_target": True, "discount_rate": 0.0},
    "solver": {"name": "highs", "time_limit_s": 60, "mip_gap": 0.001},
}


# ----------------------------------------------------------------------------- DESIGN example


def test_design_example_candidates() -> None:
    # Caretaker lasts the whole horizon: only s = 0. Coach lasts 2 years: s = 0 or 1, and both
    # buurten clear the 0.1 social-cohesion gap at t = 0 (0.13 and 0.17).
    assert candidates(DESIGN_EXAMPLE) == [
        ("caretaker", TARWEWIJK, 0),
        ("caretaker", CARNISSE, 0),
        ("neighbourhood_coach", TARWEWIJK, 0),
        ("neighbourhood_coach", TARWEWIJK, 1),
        ("neighbourhood_coach", CARNISSE, 0),
        ("neighbourhood_coach", CARNISSE, 1),
    ]


def test_design_example_value_and_optimum() -> None:
    plan = [("caretaker", TARWEWIJK, 0), ("caretaker", CARNISSE, 0),
            ("neighbourhood_coach", CARNISSE, 0)]
    assert plan_violations(DESIGN_EXAMPLE, plan) == []
    assert plan_value(DESIGN_EXAMPLE, plan) == pytest.approx(10737.17, abs=0.005)
    best, best_plan = brute_force(DESIGN_EXAMPLE)
    assert best == pytest.approx(10737.17, abs=0.005)
    assert sorted(best_plan) == sorted(plan)


def test_design_example_alternatives_are_worse_or_infeasible() -> None:
    base = [("caretaker", TARWEWIJK, 0), ("caretaker", CARNISSE, 0)]
    # The coach starting a year later is feasible but worth less.
    later = [*base, ("neighbourhood_coach", CARNISSE, 1)]
    assert plan_violations(DESIGN_EXAMPLE, later) == []
    assert plan_value(DESIGN_EXAMPLE, later) < 10737.17
    # The coach in Tarwewijk as well breaks the area budget (372,500 + 81,000 > 450,000).
    both = [*base, ("neighbourhood_coach", CARNISSE, 0), ("neighbourhood_coach", TARWEWIJK, 0)]
    assert any("area_budget" in v for v in plan_violations(DESIGN_EXAMPLE, both))
    # Without the locked caretaker the plan is infeasible.
    assert any("lock" in v for v in plan_violations(DESIGN_EXAMPLE, base[1:]))
    # Without the coach all spend is on nuisance_safety, above its 0.8 share.
    assert any("domain_share" in v for v in plan_violations(DESIGN_EXAMPLE, base))


def test_design_example_costs_and_payments() -> None:
    ivs = {iv["key"]: iv for iv in DESIGN_EXAMPLE["interventions"]}
    nbs = {nb["code"]: nb for nb in DESIGN_EXAMPLE["neighbourhoods"]}
    coach = run_costs(DESIGN_EXAMPLE, ivs["neighbourhood_coach"], nbs[CARNISSE], 0)
    assert coach == [30000 + 2.5 * 5000, 25000 + 2.5 * 5000]
    corp, partners = run_payments(DESIGN_EXAMPLE, ivs["caretaker"], nbs[TARWEWIJK], 0)
    assert corp == [48750.0] * 3
    assert partners == {"municipality": [16250.0] * 3}


# ----------------------------------------------------------------------------- hand cases


def tiny(*, horizon: int = 1, start_year: int = 2030, scores: dict | None = None,
         effect: float = 0.1, objective: dict | None = None, homes: float = 100,
         **intervention: object) -> dict:
    """One neighbourhood ("N1", 100 homes), one domain "a" (weight 1), one intervention "x"."""
    iv = {"key": "x", "domain": "a", "effects": {"a": effect}, "cost": {"fixed": 100},
          "duration_years": 1}
    iv.update(intervention)
    return {
        "name": "tiny",
        "start_year": start_year,
        "horizon_years": horizon,
        "domains": [{"key": "a", "weight": 1.0}],
        "neighbourhoods": [{"code": "N1", "homes": homes, "regulated_homes": 0,
                            "scores": scores if scores is not None else {"a": {"score": -0.1}}}],
        "interventions": [iv],
        "objective": objective if objective is not None else {"equity": "linear"},
        "solver": {"name": "highs", "mip_gap": 0, "time_limit_s": 30},
    }


def two_buurten(effect: float, where: str, objective: dict) -> dict:
    """A (gap 0.4) and B (gap 0.2), 100 homes each: G(a) = 0.4."""
    doc = tiny(effect=effect, objective=objective)
    doc["neighbourhoods"] = [
        {"code": "A", "homes": 100, "scores": {"a": {"score": -0.4}}},
        {"code": "B", "homes": 100, "scores": {"a": {"score": -0.2}}},
    ]
    return doc


def test_linear_is_capped_at_the_gap() -> None:
    # gap 0.1, effect 0.15: credited 0.1 x 100 homes.
    doc = tiny(effect=0.15)
    assert plan_value(doc, [("x", "N1", 0)]) == pytest.approx(10.0)
    # Effect smaller than the gap: all of it.
    assert plan_value(tiny(effect=0.05), [("x", "N1", 0)]) == pytest.approx(5.0)
    # No score, no gap: nothing credited under the cap.
    assert plan_value(tiny(scores={}), [("x", "N1", 0)]) == 0.0


def test_prioritarian_pieces() -> None:
    obj = {"equity": "prioritarian", "equity_strength": 1.0, "segments": 4}
    # B: pieces of 0.05; midpoints 0.175 and 0.125 below target -> weights 1.4375, 1.3125.
    doc = two_buurten(0.1, "B", obj)
    assert plan_value(doc, [("x", "B", 0)]) == pytest.approx(100 * 0.05 * (1.4375 + 1.3125))
    # A: pieces of 0.1; the deepest has midpoint 0.35 -> weight 1.875.
    assert plan_value(doc, [("x", "A", 0)]) == pytest.approx(100 * 0.1 * 1.875)
    # Strength 2 in B: weights 1.875 and 1.625.
    doc2 = two_buurten(0.1, "B", {**obj, "equity_strength": 2.0})
    assert plan_value(doc2, [("x", "B", 0)]) == pytest.approx(100 * 0.05 * (1.875 + 1.625))
    # One segment in B: a single piece with midpoint 0.1 -> weight 1.25.
    doc1 = two_buurten(0.1, "B", {**obj, "segments": 1})
    assert plan_value(doc1, [("x", "B", 0)]) == pytest.approx(100 * 0.1 * 1.25)
    # Defaults (prioritarian, strength 1, 4 segments) are the first case.
    doc_default = two_buurten(0.1, "B", {})
    assert plan_value(doc_default, [("x", "B", 0)]) == pytest.approx(13.75)
    # Strength 0 is linear.
    doc0 = two_buurten(0.1, "B", {**obj, "equity_strength": 0})
    assert plan_value(doc0, [("x", "B", 0)]) == pytest.approx(10.0)


def test_prioritarian_part_of_a_piece_and_zero_largest_gap() -> None:
    obj = {"equity": "prioritarian", "segments": 4}
    # 0.07 in B: all of piece 0 and 0.02 of piece 1.
    doc = two_buurten(0.07, "B", obj)
    assert plan_value(doc, [("x", "B", 0)]) == pytest.approx(100 * (0.05 * 1.4375 + 0.02 * 1.3125))
    # G = 0 (nobody below target): weights 1, and nothing to credit under the cap.
    flat = tiny(scores={"a": {"score": 0.3}}, objective=obj)
    assert plan_value(flat, [("x", "N1", 0)]) == 0.0
    uncapped = tiny(scores={"a": {"score": 0.3}}, objective={**obj, "cap_at_target": False})
    assert plan_value(uncapped, [("x", "N1", 0)]) == pytest.approx(10.0)


def test_without_cap_improvement_beyond_the_gap_weighs_one() -> None:
    obj = {"equity": "prioritarian", "segments": 4, "cap_at_target": False}
    # B: the whole gap 0.2 (weights 1.4375, 1.3125, 1.1875, 1.0625 on 0.05 each = 0.25) + 0.1.
    doc = two_buurten(0.3, "B", obj)
    assert plan_value(doc, [("x", "B", 0)]) == pytest.approx(100 * (0.25 + 0.1))
    capped = two_buurten(0.3, "B", {**obj, "cap_at_target": True})
    assert plan_value(capped, [("x", "B", 0)]) == pytest.approx(100 * 0.25)
    linear = two_buurten(0.3, "B", {"equity": "linear", "cap_at_target": False})
    assert plan_value(linear, [("x", "B", 0)]) == pytest.approx(30.0)


def test_discounting() -> None:
    # Gap 0.1 both years, effect 0.1 for 2 years, 25 % a year: 10 + 10 / 1.25.
    doc = tiny(horizon=2, duration_years=2, objective={"equity": "linear", "discount_rate": 0.25})
    assert plan_value(doc, [("x", "N1", 0)]) == pytest.approx(18.0)
    # A run starting in year 1 is discounted once.
    doc1 = tiny(horizon=2, objective={"equity": "linear", "discount_rate": 0.25})
    assert plan_value(doc1, [("x", "N1", 1)]) == pytest.approx(8.0)


def test_trend_and_score_year() -> None:
    # Measured in 2028, trend -0.05: q(2030) = -0.2, q(2031) = -0.25.
    measured = {"a": {"score": -0.1, "trend": -0.05, "score_year": 2028}}
    doc = tiny(horizon=2, duration_years=2, effect=0.3, scores=measured)
    assert gap(doc, doc["neighbourhoods"][0], "a", 0) == pytest.approx(0.2)
    assert plan_value(doc, [("x", "N1", 0)]) == pytest.approx(100 * (0.2 + 0.25))
    # Default score_year = 2029: gaps 0.15 and 0.2.
    default = tiny(horizon=2, duration_years=2, effect=0.3,
                   scores={"a": {"score": -0.1, "trend": -0.05}})
    assert plan_value(default, [("x", "N1", 0)]) == pytest.approx(100 * (0.15 + 0.2))
    # An improving trend closes the gap by itself: gaps 0.05, 0, 0.
    improving = tiny(horizon=3, duration_years=3, effect=0.3,
                     scores={"a": {"score": -0.1, "trend": 0.05}})
    assert plan_value(improving, [("x", "N1", 0)]) == pytest.approx(5.0)
    # A target above 0: gap = 0.1 - 0.05.
    target = tiny(effect=0.3, scores={"a": {"score": 0.05, "target": 0.1}})
    assert plan_value(target, [("x", "N1", 0)]) == pytest.approx(5.0)


def test_lag_and_persistence() -> None:
    # H = 4, one-year run, lag 1: effect only in s + 1 (0.05 of a 0.1 gap, 100 homes).
    doc = tiny(horizon=4, effect=0.05, lag_years=1)
    assert effect_years(doc, ("x", "N1", 0)) == [1]
    assert plan_value(doc, [("x", "N1", 0)]) == pytest.approx(5.0)
    persists = tiny(horizon=4, effect=0.05, lag_years=1, effect_persists=True)
    assert effect_years(persists, ("x", "N1", 0)) == [1, 2, 3]
    assert plan_value(persists, [("x", "N1", 0)]) == pytest.approx(15.0)
    # The last start: its effect would fall after the horizon, worth nothing.
    assert plan_value(doc, [("x", "N1", 3)]) == 0.0
    # Two-year run with lag 1 in H = 4: starts 0..2; effects s+1 .. s+2.
    two = tiny(horizon=4, effect=0.05, lag_years=1, duration_years=2)
    assert [c[2] for c in candidates(two)] == [0, 1, 2]
    assert effect_years(two, ("x", "N1", 2)) == [3]
    # Overlapping runs of one pair add their effects (capped at the gap 0.1).
    many = tiny(horizon=2, effect=0.06, max_per_neighbourhood=None)
    assert plan_value(many, [("x", "N1", 0), ("x", "N1", 1)]) == pytest.approx(12.0)
    overlap = tiny(horizon=2, effect=0.06, effect_persists=True, max_per_neighbourhood=None)
    # Year 0: 0.06; year 1: 0.12 capped at 0.1.
    assert plan_value(overlap, [("x", "N1", 0), ("x", "N1", 1)]) == pytest.approx(16.0)


def test_duration_null_runs_to_the_end() -> None:
    doc = tiny(horizon=3, duration_years=None, cost={"fixed": [1, 2, 3], "per_home": 0})
    assert candidates(doc) == [("x", "N1", 0), ("x", "N1", 1), ("x", "N1", 2)]
    ivs, nb = doc["interventions"][0], doc["neighbourhoods"][0]
    assert run_costs(doc, ivs, nb, 0) == [1, 2, 3]
    assert run_costs(doc, ivs, nb, 1) == [1, 2]  # read from k = 0
    assert plan_value(doc, [("x", "N1", 1)]) == pytest.approx(20.0)


def test_cost_lists_and_per_home() -> None:
    doc = tiny(horizon=2, duration_years=2, cost={"fixed": [10, 20], "per_home": [1, 0.5]})
    assert run_costs(doc, doc["interventions"][0], doc["neighbourhoods"][0], 0) == [110, 70]


def partner_doc(contributions: list[dict], partners: list[dict] | None = None,
                budget: dict | None = None) -> dict:
    doc = tiny(partner_contributions=contributions)
    doc["partners"] = partners or [{"key": "p1"}, {"key": "p2"}]
    if budget is not None:
        doc["budget"] = budget
    return doc


def test_partner_contributions_in_listed_order_never_beyond_cost() -> None:
    def pay(contributions: list[dict]) -> tuple[list[float], dict[str, list[float]]]:
        doc = partner_doc(contributions)
        return run_payments(doc, doc["interventions"][0], doc["neighbourhoods"][0], 0)

    # Cost 100: p1 pays 70, p2's half (50) is cut to the 30 left; corporation pays nothing.
    assert pay([{"partner": "p1", "amount_per_year": 70}, {"partner": "p2", "share": 0.5}]) == (
        [0.0], {"p1": [70.0], "p2": [30.0]})
    # Reversed: p2 pays its half first, p1's 70 is cut to 50.
    assert pay([{"partner": "p2", "share": 0.5}, {"partner": "p1", "amount_per_year": 70}]) == (
        [0.0], {"p2": [50.0], "p1": [50.0]})
    # Shares are of the year's cost, not of what is left: 25 + 40, corporation 35.
    assert pay([{"partner": "p1", "share": 0.25}, {"partner": "p2", "amount_per_year": 40}]) == (
        [35.0], {"p1": [25.0], "p2": [40.0]})
    # Amounts beyond the cost are cut.
    assert pay([{"partner": "p1", "amount_per_year": 500}]) == ([0.0], {"p1": [100.0]})


def test_partner_and_corporation_budgets_count_the_paid_parts() -> None:
    first = [{"partner": "p1", "amount_per_year": 70}, {"partner": "p2", "share": 0.5}]
    ok = partner_doc(first, [{"key": "p1", "budget": {"total": 70}},
                             {"key": "p2", "budget": {"per_year": [30]}}])
    assert plan_violations(ok, [("x", "N1", 0)]) == []
    tight = partner_doc(first, [{"key": "p1"}, {"key": "p2", "budget": {"total": 29}}])
    assert plan_violations(tight, [("x", "N1", 0)]) != []
    corp = [{"partner": "p1", "share": 0.25}, {"partner": "p2", "amount_per_year": 40}]
    assert plan_violations(partner_doc(corp, budget={"total": 35}), [("x", "N1", 0)]) == []
    assert plan_violations(partner_doc(corp, budget={"total": 34}), [("x", "N1", 0)]) != []
    assert plan_violations(partner_doc(corp, budget={"per_year": [34]}), [("x", "N1", 0)]) != []


# ----------------------------------------------------------------------------- rules


def rules_doc() -> dict:
    """Three buurten, two interventions, H = 2; no rules yet."""
    return {
        "name": "rules",
        "start_year": 2030,
        "horizon_years": 2,
        "domains": [{"key": "a"}, {"key": "b"}],
        "neighbourhoods": [
            {"code": "N1", "municipality": "M", "district": "D1", "homes": 100,
             "regulated_homes": 10, "scores": {"a": {"score": -0.3}, "b": {"score": -0.05}}},
            {"code": "N2", "municipality": "M", "district": "D2", "homes": 100,
             "regulated_homes": 10, "scores": {"a": {"score": -0.1}, "b": {"score": -0.3}}},
            {"code": "N3", "municipality": "Z", "district": "D1", "homes": 100,
             "regulated_homes": 10, "scores": {}},
        ],
        "interventions": [
            {"key": "x", "domain": "a", "effects": {"a": 0.1}, "cost": {"fixed": 100},
             "duration_years": 1},
            {"key": "y", "domain": "b", "effects": {"b": 0.1}, "cost": {"fixed": 50},
             "duration_years": 1},
        ],
        "solver": {"name": "highs", "mip_gap": 0, "time_limit_s": 30},
    }


def test_eligibility_forms() -> None:
    doc = rules_doc()
    assert len(candidates(doc)) == 12
    doc["interventions"][0]["eligible"] = ["N2"]
    assert [c for c in candidates(doc) if c[0] == "x"] == [("x", "N2", 0), ("x", "N2", 1)]
    doc["interventions"][0]["eligible"] = {"min_gap": {"a": 0.2}}
    assert {c[1] for c in candidates(doc) if c[0] == "x"} == {"N1"}
    doc["interventions"][0]["eligible"] = {"codes": ["N2", "N3"], "min_gap": {"a": 0.05}}
    assert {c[1] for c in candidates(doc) if c[0] == "x"} == {"N2"}  # N3 has no score: gap 0
    doc["interventions"][0]["eligible"] = {"codes": ["N2", "N3"]}
    assert {c[1] for c in candidates(doc) if c[0] == "x"} == {"N2", "N3"}
    doc["interventions"][0]["eligible"] = {}
    assert {c[1] for c in candidates(doc) if c[0] == "x"} == {"N1", "N2", "N3"}
    # A run outside the eligible set is a violation.
    doc["interventions"][0]["eligible"] = ["N2"]
    assert plan_violations(doc, [("x", "N1", 0)]) != []


def test_counting_rules() -> None:
    doc = rules_doc()
    x = doc["interventions"][0]
    twice = [("x", "N1", 0), ("x", "N1", 1)]
    assert plan_violations(doc, twice) != []  # default max_per_neighbourhood 1
    x["max_per_neighbourhood"] = 2
    assert plan_violations(doc, twice) == []
    x["max_per_neighbourhood"] = None
    assert plan_violations(doc, twice) == []
    x["max_total"] = 1
    assert plan_violations(doc, twice) == []
    assert plan_violations(doc, [("x", "N1", 0), ("x", "N2", 0)]) != []
    x["max_total"] = 0
    assert plan_violations(doc, [("x", "N1", 0)]) != []


def test_exclusive_group_and_requires() -> None:
    doc = rules_doc()
    doc["interventions"][0]["exclusive_group"] = "g"
    doc["interventions"][1]["exclusive_group"] = "g"
    assert plan_violations(doc, [("x", "N1", 0), ("y", "N1", 1)]) != []
    assert plan_violations(doc, [("x", "N1", 0), ("y", "N2", 1)]) == []
    doc = rules_doc()
    doc["interventions"][1]["requires"] = ["x"]
    assert plan_violations(doc, [("y", "N1", 0)]) != []
    assert plan_violations(doc, [("x", "N1", 0), ("y", "N1", 0)]) == []  # same year
    assert plan_violations(doc, [("x", "N1", 0), ("y", "N1", 1)]) == []  # earlier
    assert plan_violations(doc, [("x", "N1", 1), ("y", "N1", 0)]) != []  # later
    assert plan_violations(doc, [("x", "N2", 0), ("y", "N1", 0)]) != []  # elsewhere
    # One prerequisite run serves several dependants.
    doc["interventions"][1]["max_per_neighbourhood"] = None
    assert plan_violations(doc, [("x", "N1", 0), ("y", "N1", 0), ("y", "N1", 1)]) == []


def test_locks() -> None:
    doc = rules_doc()
    doc["rules"] = {"locks": [{"intervention": "x", "neighbourhood": "N1", "fund": True}]}
    assert plan_violations(doc, []) != []
    assert plan_violations(doc, [("x", "N1", 1)]) == []
    doc["rules"]["locks"][0]["start_year"] = 2030
    assert plan_violations(doc, [("x", "N1", 1)]) != []
    assert plan_violations(doc, [("x", "N1", 0)]) == []
    doc["rules"]["locks"] = [{"intervention": "x", "neighbourhood": "N1", "fund": False}]
    assert plan_violations(doc, [("x", "N1", 1)]) != []
    assert plan_violations(doc, [("x", "N2", 1)]) == []
    doc["rules"]["locks"][0]["start_year"] = 2030
    assert plan_violations(doc, [("x", "N1", 1)]) == []
    assert plan_violations(doc, [("x", "N1", 0)]) != []
    # Locked in but not eligible: nothing is feasible.
    locked = rules_doc()
    locked["interventions"][0]["eligible"] = ["N2"]
    locked["rules"] = {"locks": [{"intervention": "x", "neighbourhood": "N1", "fund": True}]}
    assert brute_force(locked) == (None, [])


def test_spending_rules() -> None:
    base = rules_doc()
    xy = [("x", "N1", 0), ("y", "N2", 0)]  # 100 on domain a in N1, 50 on domain b in N2
    assert plan_violations(base, xy) == []

    def with_rules(**rls: object) -> dict:
        doc = copy.deepcopy(base)
        doc["rules"] = rls
        return doc

    assert plan_violations(with_rules(domain_share={"a": {"max": 0.6}}), xy) != []
    assert plan_violations(with_rules(domain_share={"a": {"max": 0.7}}), xy) == []
    assert plan_violations(with_rules(domain_share={"b": {"min": 0.4}}), xy) != []
    assert plan_violations(with_rules(domain_share={"b": {"min": 0.3}}), [])  == []  # empty plan
    assert plan_violations(with_rules(domain_budget={"a": {"total": 99}}), xy) != []
    assert plan_violations(with_rules(domain_budget={"b": {"per_year": [50, 0]}}), xy) == []
    assert plan_violations(with_rules(domain_budget={"b": {"per_year": [49, 0]}}), xy) != []
    assert plan_violations(with_rules(area_budget=[{"district": "D1", "total": 99}]), xy) != []
    # Both must match: municipality Z and district D1 is only N3.
    both = with_rules(area_budget=[{"municipality": "Z", "district": "D1", "total": 0}])
    assert plan_violations(both, xy) == []
    assert plan_violations(both, [("x", "N3", 1)]) != []
    per_year = with_rules(area_budget=[{"municipality": "M", "per_year": [150, 0]}])
    assert plan_violations(per_year, xy) == []
    assert plan_violations(per_year, [*xy, ("x", "N2", 1)]) != []
    assert plan_violations(with_rules(max_neighbourhood_share=0.6), xy) != []  # 100 > 0.6 x 150
    assert plan_violations(with_rules(max_neighbourhood_share=0.7), xy) == []
    # cap 10 per regulated home x 10 homes = 100 per buurt per year.
    capped = with_rules(cap_per_regulated_home=10)
    assert plan_violations(capped, xy) == []
    assert plan_violations(capped, [("x", "N1", 0), ("y", "N1", 0)]) != []
    assert plan_violations(capped, [("x", "N1", 0), ("y", "N1", 1)]) == []
    capped["interventions"][1]["counts_toward_cap"] = False
    assert plan_violations(capped, [("x", "N1", 0), ("y", "N1", 0)]) == []


def test_resources() -> None:
    doc = rules_doc()
    doc["interventions"][0]["uses"] = {"fte": 1}
    doc["interventions"][0]["duration_years"] = 2
    doc["resources"] = {"fte": {"per_year": [1, 2]}}
    assert plan_violations(doc, [("x", "N1", 0)]) == []
    assert plan_violations(doc, [("x", "N1", 0), ("x", "N2", 0)]) != []  # 2 > 1 in year 0


def test_brute_force_takes_the_best_feasible_subset() -> None:
    doc = rules_doc()
    doc["budget"] = {"total": 150}
    # Prioritarian defaults, G(a) = G(b) = 0.3, pieces of 0.075 for a 0.3 gap:
    # 0.1 into a 0.3 gap = 0.075 x 1.875 + 0.025 x 1.625 = 0.18125 -> 18.125 for 100 homes.
    # Best within 150: x in N1 (a, gap 0.3) + y in N2 (b, gap 0.3), any start years.
    best, plan = brute_force(doc)
    assert best == pytest.approx(2 * 18.125)
    assert sorted((i, n) for i, n, _ in plan) == [("x", "N1"), ("y", "N2")]
    assert plan_violations(doc, plan) == []
    assert brute_force({**doc, "interventions": []}) == (0.0, [])
