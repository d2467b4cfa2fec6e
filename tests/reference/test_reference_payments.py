"""Costs and payments in the reference evaluator, against small hand calculations."""

from __future__ import annotations

import pytest

from tests.reference.evaluate import (
    candidates,
    plan_value,
    plan_violations,
    run_costs,
    run_payments,
)
from tests.reference.hand_docs import tiny


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


def partner_doc(
    contributions: list[dict], partners: list[dict] | None = None, budget: dict | None = None
) -> dict:
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
        [0.0],
        {"p1": [70.0], "p2": [30.0]},
    )
    # Reversed: p2 pays its half first, p1's 70 is cut to 50.
    assert pay([{"partner": "p2", "share": 0.5}, {"partner": "p1", "amount_per_year": 70}]) == (
        [0.0],
        {"p2": [50.0], "p1": [50.0]},
    )
    # Shares are of the year's cost, not of what is left: 25 + 40, corporation 35.
    assert pay([{"partner": "p1", "share": 0.25}, {"partner": "p2", "amount_per_year": 40}]) == (
        [35.0],
        {"p1": [25.0], "p2": [40.0]},
    )
    # Amounts beyond the cost are cut.
    assert pay([{"partner": "p1", "amount_per_year": 500}]) == ([0.0], {"p1": [100.0]})


def test_partner_and_corporation_budgets_count_the_paid_parts() -> None:
    first = [{"partner": "p1", "amount_per_year": 70}, {"partner": "p2", "share": 0.5}]
    ok = partner_doc(
        first, [{"key": "p1", "budget": {"total": 70}}, {"key": "p2", "budget": {"per_year": [30]}}]
    )
    assert plan_violations(ok, [("x", "N1", 0)]) == []
    tight = partner_doc(first, [{"key": "p1"}, {"key": "p2", "budget": {"total": 29}}])
    assert plan_violations(tight, [("x", "N1", 0)]) != []
    corp = [{"partner": "p1", "share": 0.25}, {"partner": "p2", "amount_per_year": 40}]
    assert plan_violations(partner_doc(corp, budget={"total": 35}), [("x", "N1", 0)]) == []
    assert plan_violations(partner_doc(corp, budget={"total": 34}), [("x", "N1", 0)]) != []
    assert plan_violations(partner_doc(corp, budget={"per_year": [34]}), [("x", "N1", 0)]) != []
