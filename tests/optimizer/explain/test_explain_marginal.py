"""The marginal estimate of each line (issue check 2).

It must equal a finite difference of the same relaxation — funded runs fixed at 1, the other
candidates relaxed to [0, 1] — built afresh through PuLP and solved by HiGHS and by CBC, to 1e-6
per euro (or unit); and the scenario solved with CBC must report the same estimates as with
HiGHS. Where the relaxation is not degenerate in the line (the left and right differences
agree), each solver's own dual, sign-normalised, agrees too: PuLP reports HiGHS's duals of a
maximisation with the opposite sign to CBC's.
"""

from __future__ import annotations

import copy

import numpy as np
import pulp
import pytest
from hypothesis import HealthCheck, given, settings

from app.optimizer.model.build import MONEY_SCALE, build_model
from app.optimizer.problem.instance import compile_instance
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import parse_scenario
from tests.optimizer.explain.test_explain_next_step import KINDS, tight
from tests.optimizer.explain_checks import solve_doc
from tests.strategies import explain_scenarios

TOLERANCE = 1e-6
SOLVERS = ("highs", "cbc")


def _row_kind(line: str, doc: dict) -> str:
    """The model's row name of a line key (years become offsets, as in the model)."""
    head, _, when = line.rpartition(":")
    return f"{head}:{when if when == 'total' else int(when) - doc['start_year']}"


class Relaxation:
    """The relaxation built afresh from the document and the recommended plan."""

    def __init__(self, doc: dict, rec: Recommendation):
        inst = compile_instance(parse_scenario(copy.deepcopy(doc)))
        self.model = build_model(inst)
        funded = {(a.intervention, a.neighbourhood, a.start_year) for a in rec.allocations}
        for c, var in enumerate(self.model.x):
            key = (inst.intervention_keys[inst.cand_i[c]], inst.codes[inst.cand_n[c]],
                   inst.calendar(int(inst.cand_s[c])))
            if key in funded:
                var.lowBound = var.upBound = 1
        for var in self.model.columns:
            var.cat = pulp.LpContinuous

    def row(self, kind: str) -> pulp.LpConstraint | None:
        kinds = self.model.row_kinds
        return self.model.rows[kinds.index(kind)] if kind in kinds else None

    def value(self, solver: str, row: pulp.LpConstraint | None = None, delta: float = 0.0
              ) -> tuple[float, float | None]:
        """(optimal value, the row's dual normalised to ∂value/∂limit) with the row's limit
        moved by `delta` model units; value −inf when that is infeasible."""
        if row is not None:
            rhs = -row.constant
            row.changeRHS(rhs + delta)
        try:
            if solver == "highs":
                self.model.problem.solve(pulp.HiGHS(msg=False))
            else:
                self.model.problem.solve(pulp.PULP_CBC_CMD(msg=False))
            if self.model.problem.status == pulp.LpStatusInfeasible:
                return -np.inf, None
            assert self.model.problem.status == pulp.LpStatusOptimal
            value = float(pulp.value(self.model.problem.objective) or 0.0)
            dual = None if row is None or row.pi is None else float(row.pi)
            if dual is not None and solver == "highs":
                dual = -dual  # PuLP's HiGHS interface: minimisation sign for a maximisation
            return value, dual
        finally:
            if row is not None:
                row.changeRHS(rhs)


def check_marginal(doc: dict, rec: Recommendation, solvers: tuple[str, ...] = SOLVERS) -> int:
    """Compare every estimate with finite differences; return how many were positive."""
    assert rec.explanation is not None
    relaxation = Relaxation(doc, rec)
    positive = 0
    for estimate in rec.explanation.marginal_estimate:
        row = relaxation.row(_row_kind(estimate.line, doc))
        if row is None:  # the model left the row out: funding everything fits
            assert estimate.value_per_unit == 0.0
            continue
        scale = MONEY_SCALE if estimate.unit == "EUR" else 1.0
        limit = -row.constant
        h = max(1e-3, 1e-5 * abs(limit))
        for solver in solvers:
            base, dual = relaxation.value(solver, row)
            right = (relaxation.value(solver, row, h)[0] - base) / h / scale
            assert abs(estimate.value_per_unit - right) <= TOLERANCE, (
                f"{estimate.line} ({solver}): estimate {estimate.value_per_unit}, "
                f"finite difference {right}")
            left = (base - relaxation.value(solver, row, -h)[0]) / h / scale
            if dual is not None and abs(left - right) <= TOLERANCE:  # a unique dual
                assert abs(dual / scale - estimate.value_per_unit) <= TOLERANCE, (
                    f"{estimate.line} ({solver}): dual {dual / scale}, estimate "
                    f"{estimate.value_per_unit}")
        positive += estimate.value_per_unit > TOLERANCE
    return positive


class TestAgainstFiniteDifferences:
    @pytest.mark.parametrize("kind", KINDS)
    def test_a_binding_line_has_a_positive_estimate_equal_to_the_difference(
        self, kind: str
    ) -> None:
        doc = tight(kind)
        rec = solve_doc(doc)
        assert check_marginal(doc, rec) >= 1
        assert all(e.estimate for e in rec.explanation.marginal_estimate)

    def test_the_design_example(self, design_example: dict) -> None:
        design_example["solver"] = {"name": "highs", "mip_gap": 0, "time_limit_s": 30}
        rec = solve_doc(design_example)
        assert check_marginal(design_example, rec) == 1
        assert rec.explanation is not None
        area = next(e for e in rec.explanation.marginal_estimate
                    if e.line == "area_budget:0:total")
        assert area.value_per_unit > 0

    def test_a_degenerate_line_reports_the_right_hand_derivative(self) -> None:
        """Total and per-year budget both exactly used: raising either alone buys nothing
        more in the relaxation, whatever dual the simplex returns for them."""
        doc = tight("budget")
        doc["horizon_years"] = 1
        doc["resources"]["staff"]["per_year"] = [10]
        doc["budget"] = {"total": 6000, "per_year": [6000]}
        rec = solve_doc(doc)
        assert rec.explanation is not None
        check_marginal(doc, rec)
        values = {e.line: e.value_per_unit for e in rec.explanation.marginal_estimate}
        assert values["budget:total"] == values["budget:2027"] == 0.0


class TestSolverIndependence:
    def test_cbc_and_highs_report_the_same_estimates(self) -> None:
        for kind in KINDS:
            doc = tight(kind)
            answers = {}
            for solver in SOLVERS:
                doc["solver"] = {"name": solver, "mip_gap": 0, "time_limit_s": 30}
                answers[solver] = solve_doc(doc)
            plans = {s: sorted((a.intervention, a.neighbourhood, a.start_year)
                               for a in r.allocations) for s, r in answers.items()}
            if plans["highs"] != plans["cbc"]:
                continue  # a different optimal plan has its own relaxation
            estimates = {s: [(e.line, e.value_per_unit) for e in r.explanation.marginal_estimate]
                         for s, r in answers.items() if r.explanation is not None}
            assert estimates["highs"] == estimates["cbc"], kind
            assert any(v > 0 for _, v in estimates["cbc"])


@pytest.mark.slow
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(explain_scenarios())
def test_random_estimates_equal_finite_differences(doc: dict) -> None:
    rec = solve_doc(doc)
    if rec.status != "optimal":
        return
    check_marginal(doc, rec, solvers=("highs",))
    assert np.all([e.value_per_unit >= 0 for e in rec.explanation.marginal_estimate])
