"""The diagnosis of an infeasible scenario (issue check 4).

For one case of each kind of infeasibility, applying the suggested changes (to a copy of the
document, independently of the optimizer) makes the scenario solve; on constructed cases no
cheaper change would.
"""

from __future__ import annotations

import copy

import pytest

from app.schemas.explanation import DiagnosisChange
from tests.optimizer.explain_checks import _limit_of, solve_doc

SOLVER = {"name": "highs", "mip_gap": 0, "time_limit_s": 30}
TARWEWIJK, CARNISSE = "BU05991571", "BU05991488"


def apply(doc: dict, changes: list[DiagnosisChange]) -> dict:
    """The document with the changes made, read from their machine fields only."""
    changed = copy.deepcopy(doc)
    rules = changed.setdefault("rules", {})
    released = sorted((int(c.target.split(":")[1]) for c in changes
                       if c.kind == "release_lock"), reverse=True)
    for change in changes:
        if change.kind == "raise_limit":
            limit, field, t = _limit_of(changed, change.target)
            if t is None:
                limit[field] = change.proposed
            else:
                limit[field][t] = change.proposed
        elif change.kind == "change_rule":
            rule, _, key = change.target.partition(":")
            if rule == "domain_share_min":
                rules["domain_share"][key]["min"] = change.proposed
            elif rule == "domain_share_max":
                rules["domain_share"][key]["max"] = change.proposed
            else:
                rules[rule] = change.proposed
    for k in released:
        del rules["locks"][k]
    return changed


def _infeasible(doc: dict):  # noqa: ANN202 (a Recommendation)
    rec = solve_doc(doc)
    assert rec.status == "infeasible", rec.status
    assert rec.diagnosis is not None, rec.status
    assert rec.explanation is None
    return rec.diagnosis


def _design(design_example: dict) -> dict:
    design_example["solver"] = SOLVER
    return design_example


class TestEachKindOfInfeasibility:
    def test_a_lock_in_that_cannot_be_paid(self, design_example: dict) -> None:
        doc = _design(design_example)
        doc["budget"]["per_year"] = [40_000, 200_000, 200_000]
        diagnosis = _infeasible(doc)
        assert [c.target for c in diagnosis.changes] == ["lock:0"]
        assert diagnosis.message.startswith(
            "No plan satisfies every rule. Release the lock to fund Buurtbeheerder in Tarwewijk.")
        assert solve_doc(apply(doc, diagnosis.changes)).status == "optimal"
        keep = diagnosis.alternatives[0].changes
        assert [(c.target, c.amount) for c in keep] == [("budget:2027", 8_750)]
        assert keep[0].message == ("add €8,750 to the 2027 corporation budget "
                                   "(from €40,000 to €48,750)")
        assert solve_doc(apply(doc, keep)).status == "optimal"
        cheaper = keep[0].model_copy(update={"proposed": 48_749})
        assert solve_doc(apply(doc, [cheaper])).status == "infeasible"

    def test_contradictory_locks(self, design_example: dict) -> None:
        doc = _design(design_example)
        doc["rules"]["locks"].append(
            {"intervention": "caretaker", "neighbourhood": TARWEWIJK, "fund": False})
        diagnosis = _infeasible(doc)
        assert len(diagnosis.changes) == 1
        assert diagnosis.changes[0].kind == "release_lock"
        assert diagnosis.alternatives == []  # no limit or rule can reconcile them
        assert solve_doc(apply(doc, diagnosis.changes)).status == "optimal"

    def test_a_locked_run_whose_prerequisite_cannot_run(self, design_example: dict) -> None:
        doc = _design(design_example)
        doc["interventions"].append({"key": "training", "domain": "social_cohesion",
                                     "effects": {"social_cohesion": 0.01}, "eligible": []})
        doc["interventions"][1]["requires"] = ["training"]
        del doc["rules"]["domain_share"]  # else the coach is needed beside the caretakers
        doc["rules"]["locks"].append(
            {"intervention": "neighbourhood_coach", "neighbourhood": CARNISSE, "fund": True})
        diagnosis = _infeasible(doc)
        assert [c.target for c in diagnosis.changes] == ["lock:1"]
        assert "Buurtcoach in Carnisse" in diagnosis.changes[0].message
        assert solve_doc(apply(doc, diagnosis.changes)).status == "optimal"

    def test_a_partner_budget_too_small_for_a_locked_co_funded_run(
        self, design_example: dict
    ) -> None:
        doc = _design(design_example)
        doc["partners"][0]["budget"] = {"total": 30_000}
        diagnosis = _infeasible(doc)
        assert [c.target for c in diagnosis.changes] == ["lock:0"]
        keep = diagnosis.alternatives[0].changes
        # The locked caretaker needs 25 % of €65,000 for three years from the municipality.
        assert [(c.target, c.amount) for c in keep] == [("partner:municipality:total", 18_750)]
        assert solve_doc(apply(doc, keep)).status == "optimal"
        cheaper = keep[0].model_copy(update={"proposed": 48_749})
        assert solve_doc(apply(doc, [cheaper])).status == "infeasible"

    def test_shares_of_a_budget_too_small_for_a_locked_run(self, design_example: dict) -> None:
        """The lock costs the corporation 3 × 75 % × €65,000 = €146,250 in Tarwewijk, of a
        budget of €150,000: 97.5 % of any plan, over both the buurt's 70 % and the domain's
        80 %. Keeping the lock means loosening both shares (the model's own rows that follow
        from the budget and the buurt's share must give way with them)."""
        doc = _design(design_example)
        doc["budget"] = {"total": 150_000}
        diagnosis = _infeasible(doc)
        assert [c.target for c in diagnosis.changes] == ["lock:0"]
        keep = diagnosis.alternatives[0].changes
        assert {c.target for c in keep} == {
            "domain_share_max:nuisance_safety", "max_neighbourhood_share"}
        assert all(c.proposed is not None and c.proposed >= 0.975 for c in keep)
        assert solve_doc(apply(doc, keep)).status == "optimal"

    def test_a_cap_per_regulated_home_below_a_locked_run(self, design_example: dict) -> None:
        doc = _design(design_example)
        doc["rules"]["cap_per_regulated_home"] = 15
        diagnosis = _infeasible(doc)
        assert [c.target for c in diagnosis.changes] == ["lock:0"]
        keep = diagnosis.alternatives[0].changes
        cap = next(c for c in keep if c.target == "cap_per_regulated_home")
        # €48,750 a year for the corporation over 2,900 regulated homes: €16.81… → €16.82.
        assert cap.proposed == pytest.approx(16.82)
        assert solve_doc(apply(doc, keep)).status == "optimal"
        assert solve_doc(apply(doc, diagnosis.changes)).status == "optimal"


def _three_locks(budget: float = 100) -> dict:
    """Locked-in runs costing €60, €50 and €50 under a budget of €100."""
    return {
        "name": "three locks", "start_year": 2027, "horizon_years": 1,
        "domains": [{"key": "a"}],
        "neighbourhoods": [{"code": code, "homes": homes, "scores": {"a": {"score": -0.3}}}
                           for code, homes in (("A", 60), ("B", 50), ("C", 50))],
        "interventions": [{"key": "x", "domain": "a", "effects": {"a": 0.1},
                           "cost": {"per_home": 1}}],
        "budget": {"total": budget},
        "rules": {"locks": [{"intervention": "x", "neighbourhood": code, "fund": True}
                            for code in ("A", "B", "C")]},
        "solver": SOLVER,
    }


class TestNoCheaperChange:
    def test_the_fewest_locks_are_released(self) -> None:
        doc = _three_locks()
        diagnosis = _infeasible(doc)
        assert [c.target for c in diagnosis.changes] == ["lock:0"]  # B + C fit, A + B do not
        assert solve_doc(apply(doc, diagnosis.changes)).status == "optimal"
        for other in ("lock:1", "lock:2"):
            change = DiagnosisChange(kind="release_lock", target=other, message="")
            assert solve_doc(apply(doc, [change])).status == "infeasible"

    def test_the_smallest_amount_is_added(self) -> None:
        doc = _three_locks()
        keep = _infeasible(doc).alternatives[0].changes
        assert [(c.kind, c.target, c.current, c.proposed) for c in keep] == [
            ("raise_limit", "budget:total", 100, 160)]
        assert solve_doc(apply(doc, keep)).status == "optimal"
        cheaper = keep[0].model_copy(update={"proposed": 159})
        assert solve_doc(apply(doc, [cheaper])).status == "infeasible"

    def test_a_lock_on_a_pair_without_candidates(self) -> None:
        doc = _three_locks(budget=1000)
        doc["interventions"][0]["eligible"] = ["A", "B"]
        diagnosis = _infeasible(doc)
        assert [c.target for c in diagnosis.changes] == ["lock:2"]
        assert solve_doc(apply(doc, diagnosis.changes)).status == "optimal"
