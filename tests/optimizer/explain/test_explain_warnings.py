"""Warnings for a plan a rule pushes to (almost) nothing (issue check 5), funded runs' values,
and skipping the explanation."""

from __future__ import annotations

import dataclasses
import importlib
import re
import time

import numpy as np
import pytest

from app.optimizer.backends.highs_options import quiet_highs
from app.optimizer.explain import Context, ExplainOptions, plan_warnings
from app.optimizer.model.arrays import load
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.optimizer.tuning import TUNING
from app.schemas.scenario import parse_scenario
from benchmarks.gen_corporation import scenario as corporation_scenario
from tests.optimizer.explain_checks import close, plan_of, solve_doc
from tests.reference.evaluate import plan_value

WARNINGS = importlib.import_module("app.optimizer.explain.plan_warnings")
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

    def test_rules_that_empty_the_plan_only_together_are_named_together(self) -> None:
        """Two minimum shares nobody serves: releasing either leaves the other to empty the
        plan, so no rule alone is named; the two are, and nothing else (the buurt share)."""
        doc = _shares(0.2)
        doc["domains"].append({"key": "c", "label": "Zorg"})
        doc["rules"]["domain_share"]["c"] = {"min": 0.1}
        doc["rules"]["max_neighbourhood_share"] = 1.0
        rec = solve_doc(doc)
        assert rec.allocations == []
        assert rec.warnings == [
            "The minimum share of Samenhang (20%) and the minimum share of Zorg (10%) together "
            "push the plan to (almost) nothing: it is worth 0.00, against "
            f"{plan_value(_shares(0.0), [('x', 'N1', 0)]):,.2f} without them; no one of them "
            "alone does."
        ]

    def test_no_set_of_released_rules_is_re_solved_twice(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two minimum shares nobody serves and no other rule: the together pass's last
        put-back releases one share alone, which its single try re-solved already (on mutated
        scenario 10 that re-solve ran out its share twice: 9.7 and 12.4 s of a 30 s limit)."""
        doc = _shares(0.2)
        doc["domains"].append({"key": "c", "label": "Zorg"})
        doc["rules"]["domain_share"]["c"] = {"min": 0.1}
        naming: list[tuple[int, ...]] = []
        released = WARNINGS._released

        def recording(ctx: Context, rows: list[int], *args: object) -> object:
            if args[1]:  # first_enough: a naming re-solve
                naming.append(tuple(sorted(rows)))
            return released(ctx, rows, *args)

        monkeypatch.setattr(WARNINGS, "_released", recording)
        rec = solve_doc(doc)
        assert rec.warnings == [
            "The minimum share of Samenhang (20%) and the minimum share of Zorg (10%) together "
            "push the plan to (almost) nothing: it is worth 0.00, against "
            f"{plan_value(_shares(0.0), [('x', 'N1', 0)]):,.2f} without them; no one of them "
            "alone does."
        ]
        assert len(naming) == len(set(naming)), naming

    def test_a_rule_is_named_where_presolve_probing_used_to_take_the_time(self) -> None:
        """The second generator with a fifth of its budget at 60 neighbourhoods: its buurt
        share (3 / 60) asks for 20 funded buurten, which the rest cannot pay for. Released, the
        re-solve once spent its whole share (and 1.8 s more) in presolve's probing and named
        nothing; the figure is within the gap of the optimum HiGHS alone proves without the
        rule (or, said to be "at least", below it)."""
        doc = corporation_scenario(60, 20, 4, 3)
        doc["budget"]["total"] *= 0.2
        doc["budget"]["per_year"] = [amount * 0.2 for amount in doc["budget"]["per_year"]]
        doc["solver"] = {"name": "highs", "mip_gap": 0.001, "time_limit_s": 10}
        rec = solve_doc(doc)
        assert rec.allocations == []
        [warning] = rec.warnings
        assert warning.startswith("The maximum share of one buurt (5%) pushes the plan to")
        figure = re.search(r"against (at least )?([\d,.]+) without that rule", warning)
        assert figure is not None
        del doc["rules"]["max_neighbourhood_share"]
        fresh = quiet_highs()
        load(fresh, build_model(compile_instance(parse_scenario(doc))).arrays)
        fresh.setOptionValue("mip_rel_gap", 0.0)
        fresh.setOptionValue("time_limit", 120.0)
        fresh.run()
        assert fresh.getModelStatus() == fresh.getModelStatus().kOptimal
        optimum = fresh.getInfo().objective_function_value
        value = float(figure.group(2).replace(",", ""))
        if figure.group(1):  # the re-solve's time ran out (a busy machine): a plan, not the best
            assert 0 < value <= optimum * (1 + 1e-9)
        else:
            assert value == pytest.approx(optimum, rel=0.001)

    def test_the_warning_stays_when_the_explanation_is_skipped(self) -> None:
        rec = solve_doc(_shares(0.2), explain=False)
        assert rec.explanation is None
        assert len(rec.warnings) == 1


def _empty_plan_context(lp_seconds: float) -> Context:
    """The minimum share nobody serves, its empty plan, taken as a large model (below
    `next_step_exact_candidates` every re-solve is afforded) whose relaxation took
    `lp_seconds`, with 30 s left."""
    inst = compile_instance(parse_scenario(_shares(0.2)))
    model = build_model(inst)
    return Context(
        inst,
        model,
        np.zeros(model.n_cols),
        0.0,
        ExplainOptions(),
        time.monotonic() + 30.0,
        lp_seconds=lp_seconds,
        tuning=dataclasses.replace(TUNING, next_step_exact_candidates=0),
    )


def test_no_re_solve_starts_that_presolve_would_carry_past_the_deadline() -> None:
    """HiGHS's presolve heeds the clock only between its passes (400 neighbourhoods: a re-solve
    given 1.0 s spent 1.57 s in presolve): a rule's re-solve starts only with as much time
    left as the full MIP asks of the whole model, `mip_relaxations` relaxations."""
    quick = _empty_plan_context(lp_seconds=1e-3)
    [warning] = plan_warnings(quick)
    assert warning.startswith("The minimum share of Samenhang (20%) pushes the plan to")
    assert "warnings" not in quick.stopped_by_clock

    # 30 s left is less than 16 relaxations of 2 s: no rule can be tried, and the answer says
    # that its warnings were cut short by the clock.
    slow = _empty_plan_context(lp_seconds=2.0)
    assert plan_warnings(slow) == []
    assert "warnings" in slow.stopped_by_clock


def test_past_the_deadline_the_warnings_compute_nothing() -> None:
    """A plan found after the deadline gets no warnings: not the candidates' values alone, not
    the MILP loaded into HiGHS (seed 421: 1.39 s past a 12 s limit did both). An empty plan
    left unchecked is said to be."""
    late = _empty_plan_context(lp_seconds=1e-3)
    late.deadline = time.monotonic() - 0.01
    assert plan_warnings(late) == []
    assert "warnings" in late.stopped_by_clock
    assert late.standalone is None
    assert late._resolvers == {}


def test_a_plan_worth_something_loads_no_model() -> None:
    """The plan worth more than a hundredth of the best candidate alone needs no warning, and
    is found so before the MILP is loaded (independent check: the plan of the one candidate)."""
    doc = _shares(0.0)
    inst = compile_instance(parse_scenario(doc))
    model = build_model(inst)
    values = np.zeros(model.n_cols)
    values[0] = 1.0
    worth = plan_value(doc, [("x", "N1", 0)])
    ctx = Context(inst, model, values, 0.0, ExplainOptions(), time.monotonic() + 30.0)
    assert ctx.objective == pytest.approx(worth)
    assert plan_warnings(ctx) == []
    assert ctx._resolvers == {}
    assert "warnings" not in ctx.stopped_by_clock


def test_the_figures_keep_to_their_budget() -> None:
    """A rule is named from the first plan worth enough without it; what the plan is worth
    without the rule, proven, has the explanation's budget (`Context.figures_s`). With none
    left the figure is that first plan's, a floor, and the answer says that the clock cut its
    warnings short."""
    worth = plan_value(_shares(0.2), [("x", "N1", 0)])  # the one candidate, the rule lifted
    assert worth > 0
    proven = _empty_plan_context(lp_seconds=1e-3)
    [warning] = plan_warnings(proven)
    assert f"against {worth:,.2f} without that rule" in warning
    assert "warnings" not in proven.stopped_by_clock

    no_budget = _empty_plan_context(lp_seconds=1e-3)
    no_budget.figures_s = 0.0
    [warning] = plan_warnings(no_budget)
    assert warning.startswith("The minimum share of Samenhang (20%) pushes the plan to")
    assert f"against at least {worth:,.2f} without that rule" in warning
    assert "warnings" in no_budget.stopped_by_clock


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
