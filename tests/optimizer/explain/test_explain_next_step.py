"""What the next step of each line buys (issue check 1) and which rules bind.

Every `next_step` gain, re-solved or proved zero, must equal a fresh solve of the document with
that line raised by the step (a new model, not the reused one); the runs that enter and leave
must turn the plan into one that the reference finds feasible and worth the plan plus the gain.
"""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings

from app.schemas.recommendation import Recommendation
from tests.optimizer.explain_checks import close, plan_of, raised, solve_doc
from tests.reference.evaluate import plan_value, plan_violations
from tests.strategies import explain_scenarios

PROPERTY_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much],
}
SOLVER = {"name": "highs", "mip_gap": 0, "time_limit_s": 30}
KINDS = ("budget", "partner", "resource", "domain_budget", "area_budget")

def tight(kind: str) -> dict:
    """Two years, three buurten and one €4,000-a-year run type; only the `kind` line binds."""
    doc: dict = {
        "name": f"tight {kind}", "start_year": 2027, "horizon_years": 2,
        "domains": [{"key": "a"}, {"key": "b"}],
        "neighbourhoods": [
            {"code": f"N{k}", "homes": 100 * (k + 1), "municipality": "M", "district": "D",
             "scores": {"a": {"score": -0.4}}}
            for k in range(3)
        ],
        "partners": [{"key": "p"}],
        "interventions": [
            {"key": "x", "domain": "a", "effects": {"a": 0.2}, "cost": {"fixed": 8000},
             "duration_years": 1, "partner_contributions": [{"partner": "p", "share": 0.5}],
             "uses": {"staff": 1}},
        ],
        "resources": {"staff": {"per_year": [10, 10]}},
        "solver": SOLVER,
    }
    one = 4000  # the corporation's part of one run (the partner pays the other half)
    if kind == "budget":
        doc["budget"] = {"total": 2.5 * one, "per_year": [1.5 * one, 5 * one]}
    elif kind == "partner":
        doc["partners"][0]["budget"] = {"total": 1.5 * one, "per_year": [one, one]}
    elif kind == "resource":
        doc["resources"]["staff"]["per_year"] = [1, 1.5]
    elif kind == "domain_budget":
        doc["rules"] = {"domain_budget": {"a": {"total": 1.5 * one, "per_year": [one, one]}}}
    elif kind == "area_budget":
        doc["rules"] = {"area_budget": [{"district": "D", "total": 1.5 * one,
                                         "per_year": [one, 2 * one]}]}
    return doc


def check_next_steps(doc: dict, rec: Recommendation) -> None:
    assert rec.explanation is not None
    assert rec.objective is not None
    z = rec.objective
    plan = set(plan_of(doc, rec))
    for step in rec.explanation.next_step:
        shown = f"{step.line} (+{step.step}): {step.note}"
        assert step.gain is not None, shown
        assert step.step is not None, shown
        fresh = solve_doc(raised(doc, step.line, step.step), explain=False)
        assert fresh.status == "optimal", shown
        assert fresh.objective is not None, shown
        assert close(step.gain, fresh.objective - z, z), (
            f"{shown}: gain {step.gain}, a fresh re-solve gains {fresh.objective - z}")
        assert close(step.gain_per_unit or 0.0, step.gain / step.step, z), shown
        new = (plan - {(r.intervention, r.neighbourhood, r.start_year - doc["start_year"])
                       for r in step.leaves}) | {
            (r.intervention, r.neighbourhood, r.start_year - doc["start_year"])
            for r in step.enters}
        bigger = raised(doc, step.line, step.step)
        assert plan_violations(bigger, sorted(new)) == [], shown
        assert close(plan_value(bigger, sorted(new)), z + step.gain, z), shown
        if not step.resolved:
            assert step.gain == 0.0, shown
            assert step.note.startswith("cannot bind"), shown
        if step.gain > 0:
            assert step.binding, shown


class TestEveryLineKind:
    @pytest.mark.parametrize("kind", KINDS)
    def test_the_binding_line_gains_what_a_fresh_re_solve_gains(self, kind: str) -> None:
        doc = tight(kind)
        rec = solve_doc(doc)
        assert rec.status == "optimal"
        assert rec.explanation is not None
        check_next_steps(doc, rec)
        gained = [s for s in rec.explanation.next_step if s.gain]
        assert gained
        assert {s.kind for s in gained} == {kind}
        assert all(s.resolved and s.enters for s in gained)
        assert rec.explanation.binding[0].rule.startswith(kind)

    def test_a_raised_budget_also_raises_what_one_neighbourhood_may_spend(self) -> None:
        """With a neighbourhood share the budget also caps one neighbourhood's spend (the share
        of the most the plan can spend): the budget's next step lifts that cap with it, as a
        fresh solve of the raised document does."""
        doc = tight("budget")
        doc["budget"] = {"total": 10_000}
        doc["interventions"][0]["max_per_neighbourhood"] = None  # a run in each year
        doc["rules"] = {"max_neighbourhood_share": 0.5}
        rec = solve_doc(doc)
        assert rec.status == "optimal"
        assert rec.explanation is not None
        check_next_steps(doc, rec)
        step = {s.line: s for s in rec.explanation.next_step}["budget:total"]
        assert step.step is not None
        assert step.gain
        # The raised plan spends 2 × 4,000 in one neighbourhood: more than half the old budget.
        fresh = solve_doc(raised(doc, "budget:total", step.step), explain=False)
        per_hood = Counter(a.neighbourhood for a in fresh.allocations)
        assert max(per_hood.values()) == 2

    def test_lines_that_cannot_bind_are_not_re_solved(self) -> None:
        doc = tight("budget")
        doc["budget"]["per_year"] = [1e6, 1e6]  # the total caps every year already
        rec = solve_doc(doc)
        assert rec.explanation is not None
        steps = {s.line: s for s in rec.explanation.next_step}
        assert steps["budget:total"].resolved
        assert steps["budget:total"].gain
        for year in ("budget:2027", "budget:2028"):
            assert not steps[year].resolved
            assert steps[year].gain == 0.0
            assert "cannot bind" in steps[year].note
        assert not steps["resource:staff:2027"].resolved  # funding everything fits
        check_next_steps(doc, rec)

    def test_the_step_is_five_percent_of_the_line_at_least_ten_thousand_euros(self) -> None:
        doc = tight("budget")
        doc["budget"] = {"total": 1_000_000}
        rec = solve_doc(doc)
        assert rec.explanation is not None
        steps = {s.line: s for s in rec.explanation.next_step}
        assert steps["budget:total"].step == 50_000
        assert steps["resource:staff:2027"].step == 0.5
        small = solve_doc(tight("budget"))
        assert small.explanation is not None
        assert {s.line: s.step for s in small.explanation.next_step}["budget:2027"] == 10_000


class TestBindingRules:
    def test_the_design_example_names_the_area_budget_first(self, design_example: dict) -> None:
        design_example["solver"] = SOLVER
        rec = solve_doc(design_example)
        assert rec.explanation is not None
        first = rec.explanation.binding[0]
        assert first.rule == "area_budget:0"
        assert first.gain is not None
        assert first.gain > 0
        assert "area budget of Rotterdam (€450,000)" in first.message
        check_next_steps(design_example, rec)

    def test_a_resource_fully_used_in_two_years_is_one_sentence(self) -> None:
        doc = tight("resource")
        doc["resources"]["staff"]["per_year"] = [1, 1]
        rec = solve_doc(doc)
        assert rec.explanation is not None
        staff = next(b for b in rec.explanation.binding if b.rule == "resource:staff")
        assert "staff is fully used in 2027 and 2028" in staff.message
        assert staff.lines == ["resource:staff:2027", "resource:staff:2028"]

    def test_binding_rules_are_ordered_by_what_their_next_step_buys(self) -> None:
        doc = tight("budget")
        doc["resources"]["staff"]["per_year"] = [1, 2]
        rec = solve_doc(doc)
        assert rec.explanation is not None
        gains = [b.gain or 0.0 for b in rec.explanation.binding]
        assert gains == sorted(gains, reverse=True)


@pytest.mark.slow
@settings(max_examples=100, **PROPERTY_SETTINGS)
@given(explain_scenarios())
@example(tight("partner"))
@example(tight("domain_budget"))
def test_next_steps_equal_fresh_re_solves(doc: dict) -> None:
    rec = solve_doc(doc)
    if rec.status != "optimal":
        return
    try:
        check_next_steps(copy.deepcopy(doc), rec)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{json.dumps(doc, sort_keys=True)}") from None


def test_random_scenarios_re_solve_lines_of_every_kind() -> None:
    """The random documents above exercise every kind of line, re-solved, and gains on
    several kinds (what each gain is worth is checked there)."""
    resolved: Counter[str] = Counter()
    gained: Counter[str] = Counter()

    @settings(max_examples=100, **PROPERTY_SETTINGS)
    @given(explain_scenarios())
    def collect(doc: dict) -> None:
        rec = solve_doc(doc)
        for step in rec.explanation.next_step if rec.explanation else []:
            resolved[step.kind] += step.resolved
            gained[step.kind] += bool(step.gain)

    collect()
    assert set(KINDS) <= set(+resolved), dict(resolved)
    assert len(+gained) >= 3, dict(gained)
