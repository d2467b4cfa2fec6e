"""The rules and brute force of the reference evaluator, on a small three-buurt document."""

from __future__ import annotations

import copy

import pytest

from tests.reference.evaluate import brute_force, candidates, plan_violations
from tests.reference.hand_docs import rules_doc


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
    assert plan_violations(with_rules(domain_share={"b": {"min": 0.3}}), []) == []  # empty plan
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
