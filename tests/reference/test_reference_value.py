"""The value of a plan in the reference evaluator, against small hand calculations."""

from __future__ import annotations

import pytest

from tests.reference.evaluate import candidates, effect_years, gap, plan_value
from tests.reference.hand_docs import tiny


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
    default = tiny(
        horizon=2, duration_years=2, effect=0.3, scores={"a": {"score": -0.1, "trend": -0.05}}
    )
    assert plan_value(default, [("x", "N1", 0)]) == pytest.approx(100 * (0.15 + 0.2))
    # An improving trend closes the gap by itself: gaps 0.05, 0, 0.
    improving = tiny(
        horizon=3, duration_years=3, effect=0.3, scores={"a": {"score": -0.1, "trend": 0.05}}
    )
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
