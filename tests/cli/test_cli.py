"""The `onderbouwd` command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli.main import app
from benchmarks.gen_mutated import mutated_scenario
from tests.api.helpers import DESIGN_EXAMPLE

ROOT = Path(__file__).resolve().parents[2]

runner = CliRunner()


class TestSolve:
    def test_json_gives_the_same_objective_as_the_api(self, api_client: TestClient) -> None:
        result = runner.invoke(app, ["solve", str(DESIGN_EXAMPLE), "--json"])

        assert result.exit_code == 0, result.output
        answer = json.loads(result.stdout)
        over_http = api_client.post("/api/v1/solve",
                                    content=DESIGN_EXAMPLE.read_bytes(),
                                    headers={"content-type": "application/json"}).json()
        assert answer["status"] == over_http["status"] == "optimal"
        assert answer["objective"] == over_http["objective"]
        assert answer["scenario_sha256"] == over_http["scenario_sha256"]

    def test_the_table_shows_the_allocations(self) -> None:
        result = runner.invoke(app, ["solve", str(DESIGN_EXAMPLE)])

        assert result.exit_code == 0, result.output
        out = result.stdout
        assert "optimal" in out
        assert "10,737.17" in out
        assert "Allocations (3 runs)" in out
        assert out.count("caretaker") == 2
        assert "neighbourhood_coach" in out
        assert "BU05991488 Carnisse" in out
        assert "staff_fte" in out

    def test_options_override_the_solver_settings(self) -> None:
        result = runner.invoke(app, ["solve", str(DESIGN_EXAMPLE), "--json", "--solver", "cbc",
                                     "--time-limit", "20", "--mip-gap", "0"])

        assert result.exit_code == 0, result.output
        solver = json.loads(result.stdout)["solver"]
        assert (solver["name"], solver["time_limit_s"], solver["mip_gap"]) == ("cbc", 20, 0)

    def test_an_invalid_document_exits_2_naming_the_path(self, tmp_path: Path) -> None:
        document = json.loads(DESIGN_EXAMPLE.read_text(encoding="utf-8"))
        document["interventions"][0]["partner_contributions"][0]["partner"] = "police"
        document["rules"]["locks"][0]["neighbourhood"] = "BU00000000"
        file = tmp_path / "bad.json"
        file.write_text(json.dumps(document), encoding="utf-8")

        result = runner.invoke(app, ["solve", str(file)])

        assert result.exit_code == 2
        assert result.stdout == ""
        assert "rules.locks[0].neighbourhood: unknown neighbourhood 'BU00000000'" in result.stderr
        assert "interventions[0].partner_contributions[0].partner: unknown partner 'police'" \
            in result.stderr

    def test_an_unknown_field_exits_2_naming_it(self, tmp_path: Path) -> None:
        document = json.loads(DESIGN_EXAMPLE.read_text(encoding="utf-8"))
        document["budjet"] = 1
        file = tmp_path / "typo.json"
        file.write_text(json.dumps(document), encoding="utf-8")

        result = runner.invoke(app, ["solve", str(file), "--json"])

        assert result.exit_code == 2
        assert result.stdout == ""
        assert "budjet: Extra inputs are not permitted" in result.stderr

    def test_an_invalid_option_is_validated_like_the_document(self) -> None:
        result = runner.invoke(app, ["solve", str(DESIGN_EXAMPLE), "--time-limit", "0"])

        assert result.exit_code == 2
        assert "solver.time_limit_s" in result.stderr

    def test_a_missing_file_exits_2(self, tmp_path: Path) -> None:
        missing = tmp_path / "missing.json"
        result = runner.invoke(app, ["solve", str(missing)])

        assert result.exit_code == 2
        assert "no such file" in result.stderr
        assert "missing.json" in result.stderr

    def test_a_file_that_is_not_json_exits_2(self, tmp_path: Path) -> None:
        file = tmp_path / "scenario.json"
        file.write_text("{\n  'name': 1\n}", encoding="utf-8")

        result = runner.invoke(app, ["solve", str(file)])

        assert result.exit_code == 2
        assert "not valid JSON" in result.stderr
        assert "line 2" in result.stderr

    def test_an_infeasible_scenario_exits_1(self, tmp_path: Path) -> None:
        document = json.loads(DESIGN_EXAMPLE.read_text(encoding="utf-8"))
        document["budget"] = {"total": 1000}
        file = tmp_path / "infeasible.json"
        file.write_text(json.dumps(document), encoding="utf-8")

        result = runner.invoke(app, ["solve", str(file)])

        assert result.exit_code == 1
        assert "infeasible" in result.stdout


    def test_a_solver_loop_that_ignores_its_clock_does_not_hold_the_command(
        self, tmp_path: Path
    ) -> None:
        """Mutated scenario 242 (an empty optimum): in-process, HiGHS 1.16 loops in the
        presolve of a sub-MIP of its empty-plan warnings and the command never ended. The
        command solves in a child process that is stopped at its deadline (2 s to solve, 2 s
        to explain, 10 s of grace), so an answer comes: the error saying so or, from a HiGHS
        that does not loop, the proven empty optimum."""
        document, _ = mutated_scenario(242)
        file = tmp_path / "loops.json"
        file.write_text(json.dumps(document), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "app.cli.main", "solve", str(file), "--time-limit", "2",
             "--json"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        answer = json.loads(done.stdout)
        if answer["status"] == "error":
            assert done.returncode == 1
            assert "did not stop within the time limit of 2 s" in answer["message"]
        else:
            assert (answer["status"], answer["objective"]) == ("optimal", 0)
        assert answer["allocations"] == []


def test_openapi_prints_the_exported_document() -> None:
    result = runner.invoke(app, ["openapi"])

    assert result.exit_code == 0
    exported = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
    assert result.stdout == exported.read_text(encoding="utf-8")
