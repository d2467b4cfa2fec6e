"""The DESIGN §3 example, solver agreement, reproducibility and time limits."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from app.optimizer import solve
from app.schemas.scenario import parse_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SOLVERS = ["highs", "cbc"]


def _document(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _with_solver(document: dict, name: str, **settings: float | None) -> dict:
    changed = copy.deepcopy(document)
    changed["solver"] = {"name": name, "mip_gap": 0, "time_limit_s": 60, **settings}
    return changed


def _plan(recommendation) -> set[tuple[str, str, int]]:
    return {(a.intervention, a.neighbourhood, a.start_year) for a in recommendation.allocations}


def _small_utrecht(neighbourhoods: int = 12) -> dict:
    """Utrecht's question on its first buurten, with budgets scaled to match."""
    document = _document("utrecht.json")
    kept = document["neighbourhoods"][:neighbourhoods]
    codes = {n["code"] for n in kept}
    scale = neighbourhoods / len(document["neighbourhoods"])
    document["neighbourhoods"] = kept
    document["budget"] = {"total": document["budget"]["total"] * scale * 2}
    for intervention in document["interventions"]:
        rule = intervention.get("eligible")
        if isinstance(rule, list):
            intervention["eligible"] = [c for c in rule if c in codes]
        elif isinstance(rule, dict) and rule.get("codes") is not None:
            rule["codes"] = [c for c in rule["codes"] if c in codes]
    districts = {n.get("district") for n in kept}
    document["rules"]["area_budget"] = [
        a for a in document["rules"].get("area_budget", []) if a.get("district") in districts
    ]
    document["rules"]["locks"] = [
        lock for lock in document["rules"].get("locks", []) if lock["neighbourhood"] in codes
    ]
    document["rules"].pop("max_neighbourhood_share", None)
    return document


class TestDesignExample:
    @pytest.mark.parametrize("solver", SOLVERS)
    def test_proven_optimum_is_the_stated_plan_and_value(self, solver: str) -> None:
        # DESIGN §3: the caretaker in both buurten and the coach in Carnisse, value 10,737.17.
        result = solve(parse_scenario(_with_solver(_document("design_example.json"), solver)))
        assert result.status == "optimal"
        assert result.objective == pytest.approx(10737.17, abs=0.005)
        funded = {(a.intervention, a.neighbourhood) for a in result.allocations}
        assert funded == {
            ("caretaker", "BU05991571"),
            ("caretaker", "BU05991488"),
            ("neighbourhood_coach", "BU05991488"),
        }

    def test_same_input_gives_the_same_plan_and_digest(self) -> None:
        document = _with_solver(_document("design_example.json"), "highs")
        first, second = solve(parse_scenario(document)), solve(parse_scenario(document))
        assert first.scenario_sha256 == second.scenario_sha256
        assert [a.model_dump() for a in first.allocations] == [
            a.model_dump() for a in second.allocations
        ]

    def test_digest_changes_with_the_input(self) -> None:
        document = _with_solver(_document("design_example.json"), "highs")
        other = copy.deepcopy(document)
        other["budget"]["total"] = 499_999
        assert (
            solve(parse_scenario(document)).scenario_sha256
            != solve(parse_scenario(other)).scenario_sha256
        )


class TestSolversAgree:
    def test_on_a_slice_of_utrecht_at_a_proven_optimum(self) -> None:
        document = _small_utrecht()
        results = {name: solve(parse_scenario(_with_solver(document, name))) for name in SOLVERS}
        assert {r.status for r in results.values()} == {"optimal"}
        assert results["highs"].objective == pytest.approx(results["cbc"].objective, rel=1e-6)

    def test_at_any_thread_count_asked_in_turn(self) -> None:
        """HiGHS sizes one thread pool per process on its first run and refuses any later run
        that asks for another size; solves asking for different counts in one process each
        reach CBC's optimum all the same."""
        document = _small_utrecht()
        reference = solve(parse_scenario(_with_solver(document, "cbc")))
        assert reference.status == "optimal"
        for threads in (None, 1, 3, 1):
            result = solve(parse_scenario(_with_solver(document, "highs", threads=threads)))
            assert result.status == "optimal", threads
            assert result.objective == pytest.approx(reference.objective, rel=1e-6), threads

    def test_within_the_gap_on_the_full_utrecht_question(self) -> None:
        document = _document("utrecht.json")
        results = {
            name: solve(parse_scenario(_with_solver(document, name, mip_gap=0.02, time_limit_s=20)))
            for name in SOLVERS
        }
        for name, result in results.items():
            assert result.status in ("optimal", "feasible"), name
        # Each plan is feasible, so neither may beat the other's proven bound.
        for mine, other in (("highs", "cbc"), ("cbc", "highs")):
            if results[other].bound is not None:
                assert results[mine].objective <= results[other].bound * (1 + 1e-6)


class TestTimeLimit:
    def test_a_time_limited_solve_reports_its_incumbent_and_gap(self) -> None:
        document = _with_solver(_document("utrecht.json"), "highs", time_limit_s=3)
        result = solve(parse_scenario(document))
        assert result.status in ("feasible", "optimal")
        assert result.bound is not None
        assert result.objective is not None
        assert result.bound >= result.objective - 1e-6
        if result.status == "feasible":
            assert result.gap is not None
            assert result.gap > 0
            assert "time limit" in result.message
