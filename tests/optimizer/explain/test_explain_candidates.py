"""Why each pair has no run: every row checked independently (issue check 3).

Static reasons are evaluated with the reference reading of DESIGN §3; `cannot_fit` by a fresh
locked-in solve that is infeasible; `within_gap` and `outcompeted` by a fresh locked-in solve
whose objective is lower by `cost_of_forcing`, and `limited_by` by checking the plan plus the
candidate against every rule with the reference.
"""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings

from app.optimizer.explain import ExplainOptions
from app.schemas.explanation import REASON_ORDER
from tests.optimizer.explain_checks import plan_of, solve_doc, verify_candidates, verify_row
from tests.strategies import explain_scenarios

# Exact costs of forcing (and so `within_gap`) are the full level's: the default estimates.
FULL = ExplainOptions(level="full")

PROPERTY_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much],
}
SOLVER = {"name": "highs", "mip_gap": 0, "time_limit_s": 30}

def _doc(**changes: object) -> dict:
    """Two buurten, a budget for one run of three; every reason but `excluded_by_lock`."""
    doc = {
        "name": "reasons", "start_year": 2027, "horizon_years": 1,
        "domains": [{"key": "a"}, {"key": "b"}],
        "neighbourhoods": [
            {"code": "N1", "homes": 100, "scores": {"a": {"score": -0.3}, "b": {"score": 0.2}}},
            {"code": "N2", "homes": 100, "scores": {"a": {"score": -0.2}}},
        ],
        "interventions": [
            {"key": "big", "domain": "a", "effects": {"a": 0.3}, "cost": {"fixed": 1000}},
            {"key": "small", "domain": "a", "effects": {"a": 0.1}, "cost": {"fixed": 900},
             "eligible": ["N1"]},
            {"key": "cohesion", "domain": "b", "effects": {"b": 0.2}, "cost": {"fixed": 10}},
            {"key": "costly", "domain": "a", "effects": {"a": 0.2}, "cost": {"fixed": 5000}},
        ],
        "budget": {"total": 1500},
        "solver": SOLVER,
    }
    doc.update(changes)
    return doc


def _reasons(doc: dict) -> dict[tuple[str, str], str]:
    rec = solve_doc(doc, explain_options=FULL)
    assert rec.explanation is not None
    return {(r.intervention, r.neighbourhood): r.reason for r in rec.explanation.candidates}


class TestReasonsOnAConstructedCase:
    def test_each_pair_gets_the_first_reason_that_applies(self) -> None:
        reasons = _reasons(_doc())
        assert reasons == {
            ("big", "N2"): "outcompeted",  # the budget holds one run; N1 is worth more
            ("small", "N1"): "outcompeted",
            ("small", "N2"): "not_eligible",
            ("cohesion", "N1"): "no_need",  # no gap in b in N1
            ("cohesion", "N2"): "no_need",  # no score in b in N2: no gap there
            ("costly", "N1"): "cannot_fit",  # alone above the budget
            ("costly", "N2"): "cannot_fit",
        }

    def test_a_lock_out_comes_before_need_and_fit(self) -> None:
        locks = [{"intervention": "costly", "neighbourhood": "N1", "fund": False}]
        reasons = _reasons(_doc(rules={"locks": locks}))
        assert reasons[("costly", "N1")] == "excluded_by_lock"
        assert reasons[("costly", "N2")] == "cannot_fit"

    def test_a_tie_is_within_gap(self) -> None:
        doc = _doc()
        doc["neighbourhoods"][1]["scores"]["a"]["score"] = -0.3  # N2 now worth as much as N1
        reasons = _reasons(doc)
        funded = "N1" if reasons.get(("big", "N2")) else "N2"
        other = "N2" if funded == "N1" else "N1"
        assert reasons[("big", other)] == "within_gap"

    def test_cannot_fit_names_what_blocks_it(self) -> None:
        rec = solve_doc(_doc(), explain_options=FULL)
        assert rec.explanation is not None
        row = next(r for r in rec.explanation.candidates if r.intervention == "costly")
        assert [b.rule for b in row.blocked_by] == ["budget:total"]
        assert "€1,500" in row.blocked_by[0].message

    def test_outcompeted_names_the_rules_and_the_runs_it_loses_to(self) -> None:
        rec = solve_doc(_doc(), explain_options=FULL)
        assert rec.explanation is not None
        row = next(r for r in rec.explanation.candidates
                   if (r.intervention, r.neighbourhood) == ("big", "N2"))
        assert [r.rule for r in row.limited_by] == ["budget:total"]
        assert [(r.intervention, r.neighbourhood) for r in row.displaced_by] == [("big", "N1")]
        assert row.cost_of_forcing is not None
        assert row.cost_of_forcing > 0
        assert not row.estimate
        assert rec.explanation.reason_counts == {"not_eligible": 1, "no_need": 2,
                                                 "cannot_fit": 2, "outcompeted": 2}

    def test_the_default_level_estimates_unless_named_and_says_what_full_adds(self) -> None:
        named = ExplainOptions(candidates=(("big", "N2"),))
        rec = solve_doc(_doc(), explain_options=named)
        full = solve_doc(_doc(), explain_options=FULL)
        assert rec.explanation is not None
        assert full.explanation is not None
        assert rec.explanation.level == "standard"
        assert full.explanation.level == "full"
        assert any("full" in offer for offer in rec.explanation.on_request)
        assert full.explanation.on_request == []
        rows = {(r.intervention, r.neighbourhood): r for r in rec.explanation.candidates}
        exact = {(r.intervention, r.neighbourhood): r for r in full.explanation.candidates}
        assert not rows[("big", "N2")].estimate  # named: re-solved at either level
        assert rows[("big", "N2")].cost_of_forcing == exact[("big", "N2")].cost_of_forcing
        outcompeted = [key for key, row in exact.items()
                       if row.reason == "outcompeted" and key != ("big", "N2")]
        assert outcompeted
        assert all(rows[key].estimate for key in outcompeted)

    def test_named_pairs_are_re_solved_and_the_rest_estimated_beyond_the_limit(self) -> None:
        scenario = _doc()
        options = ExplainOptions(level="full", exact_limit=0, candidates=(("small", "N1"),))
        rec = solve_doc(scenario, explain_options=options)
        assert rec.explanation is not None
        rows = {(r.intervention, r.neighbourhood): r for r in rec.explanation.candidates}
        assert not rows[("small", "N1")].estimate
        estimated = rows[("big", "N2")]
        assert estimated.reason == "outcompeted"
        assert estimated.estimate
        assert estimated.cost_of_forcing is not None
        assert estimated.cost_of_forcing >= 0
        assert rows[("costly", "N1")].reason == "cannot_fit"  # proved without a solve
        assert any("LP estimate" in note for note in rec.explanation.notes)


class TestAWrongReasonIsCaught:
    @pytest.mark.parametrize(("pair", "wrong"), [
        (("big", "N2"), "cannot_fit"),
        (("big", "N2"), "within_gap"),
        (("costly", "N1"), "outcompeted"),
        (("cohesion", "N1"), "not_eligible"),
        (("small", "N2"), "no_need"),
    ])
    def test_the_checker_refuses_it(self, pair: tuple[str, str], wrong: str) -> None:
        doc = _doc()
        rec = solve_doc(doc, explain_options=FULL)
        assert rec.explanation is not None
        assert rec.objective is not None
        row = next(r for r in rec.explanation.candidates
                   if (r.intervention, r.neighbourhood) == pair)
        verify_row(doc, rec.objective, plan_of(doc, rec), row)  # the true reason passes
        with pytest.raises(AssertionError):
            verify_row(doc, rec.objective, plan_of(doc, rec),
                       row.model_copy(update={"reason": wrong}))

    def test_a_wrong_cost_or_rule_list_is_refused(self) -> None:
        doc = _doc()
        rec = solve_doc(doc, explain_options=FULL)
        assert rec.explanation is not None
        assert rec.objective is not None
        row = next(r for r in rec.explanation.candidates
                   if (r.intervention, r.neighbourhood) == ("big", "N2"))
        plan = plan_of(doc, rec)
        with pytest.raises(AssertionError):
            verify_row(doc, rec.objective, plan,
                       row.model_copy(update={"cost_of_forcing": row.cost_of_forcing * 1.01}))
        with pytest.raises(AssertionError):
            verify_row(doc, rec.objective, plan, row.model_copy(update={"limited_by": []}))


@pytest.mark.slow
@settings(max_examples=110, **PROPERTY_SETTINGS)
@given(explain_scenarios())
@example(_doc())
def test_every_candidate_row_is_confirmed_independently(doc: dict) -> None:
    rec = solve_doc(doc, explain_options=FULL)
    if rec.status != "optimal":
        assert rec.status == "infeasible", rec.status
        return
    shown = json.dumps(doc, sort_keys=True)
    try:
        verify_candidates(copy.deepcopy(doc), rec)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{shown}") from None


def test_every_reason_occurs_in_the_random_documents() -> None:
    """The documents of the property test above, explained again: every reason shows up."""
    reasons: Counter[str] = Counter()

    @settings(max_examples=110, **PROPERTY_SETTINGS)
    @given(explain_scenarios())
    def collect(doc: dict) -> None:
        rec = solve_doc(doc, explain_options=FULL)
        if rec.explanation is not None:
            reasons.update(row.reason for row in rec.explanation.candidates)

    collect()
    missing = [reason for reason in REASON_ORDER if not reasons[reason]]
    assert not missing, f"never seen: {missing} (seen {dict(reasons)})"
