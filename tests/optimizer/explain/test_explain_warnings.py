"""Warnings for a plan a rule pushes to (almost) nothing (issue check 5), funded runs' values,
and skipping the explanation."""

from __future__ import annotations

from tests.optimizer.explain_checks import close, plan_of, solve_doc
from tests.reference.evaluate import plan_value

SOLVER = {"name": "highs", "mip_gap": 0, "time_limit_s": 30}


def _shares(minimum: float) -> dict:
    """Two domains; every intervention serves `a`, and `b` must get a minimum share."""
    return {
        "name": "share", "start_year": 2027, "horizon_years": 1,
        "domains": [{"key": "a", "label": "Veiligheid"}, {"key": "b", "label": "Samenhang"}],
        "neighbourhoods": [{"code": "N1", "homes": 100, "scores": {"a": {"score": -0.3}}}],
        "interventions": [{"key": "x", "domain": "a", "effects": {"a": 0.2},
                           "cost": {"fixed": 1000}}],
        "budget": {"total": 5000},
        "rules": {"domain_share": {"b": {"min": minimum}}},
        "solver": SOLVER,
    }


class TestEmptyPlanWarnings:
    def test_a_minimum_share_no_candidate_can_meet_is_named(self) -> None:
        rec = solve_doc(_shares(0.2))
        assert rec.status == "optimal"
        assert rec.allocations == []
        assert len(rec.warnings) == 1
        warning = rec.warnings[0]
        assert warning.startswith("The minimum share of Samenhang (20%) pushes the plan to "
                                  "(almost) nothing")
        assert "no eligible candidate has Samenhang as its primary domain" in warning

    def test_no_warning_without_the_rule(self) -> None:
        rec = solve_doc(_shares(0.0))
        assert rec.allocations
        assert rec.warnings == []

    def test_no_warning_when_nothing_could_add_value(self) -> None:
        doc = _shares(0.2)
        doc["neighbourhoods"][0]["scores"] = {}
        assert solve_doc(doc).warnings == []

    def test_the_warning_stays_when_the_explanation_is_skipped(self) -> None:
        rec = solve_doc(_shares(0.2), explain=False)
        assert rec.explanation is None
        assert len(rec.warnings) == 1


class TestFundedRuns:
    def test_value_is_what_dropping_the_run_alone_loses(self, design_example: dict) -> None:
        design_example["solver"] = SOLVER
        rec = solve_doc(design_example)
        plan = plan_of(design_example, rec)
        assert rec.objective is not None
        for allocation, run in zip(rec.allocations, plan, strict=True):
            rest = [r for r in plan if r != run]
            lost = rec.objective - plan_value(design_example, rest)
            assert close(allocation.value, lost, rec.objective)
            assert allocation.value_per_corporation_euro is not None
            assert close(allocation.value_per_corporation_euro,
                         lost / allocation.corporation_cost, 1.0)


class TestSkippingTheExplanation:
    def test_explain_false_leaves_it_out_and_costs_nothing(self, design_example: dict) -> None:
        rec = solve_doc(design_example, explain=False)
        assert rec.explanation is None
        assert rec.solver.timings.explain_s < 0.05
        explained = solve_doc(design_example)
        assert explained.explanation is not None
        assert explained.solver.timings.explain_s > 0
        assert explained.objective == rec.objective
