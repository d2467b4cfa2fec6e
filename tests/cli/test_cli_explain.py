"""`onderbouwd solve` prints why: binding rules, next-step gains, reasons, a diagnosis."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli.main import app
from tests.api.helpers import DESIGN_EXAMPLE

runner = CliRunner()


def test_the_table_explains_the_plan() -> None:
    result = runner.invoke(app, ["solve", str(DESIGN_EXAMPLE), "--mip-gap", "0"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Binding rules" in out
    assert "area budget of Rotterdam (€450,000)" in out
    assert "What the next step buys" in out
    assert "Why 1 pair has no run" in out
    assert "outcompeted by the plan's runs" in out


def test_no_explain_leaves_it_out() -> None:
    result = runner.invoke(app, ["solve", str(DESIGN_EXAMPLE), "--no-explain", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["explanation"] is None
    table = runner.invoke(app, ["solve", str(DESIGN_EXAMPLE), "--no-explain"])
    assert "Binding rules" not in table.stdout


def test_an_infeasible_scenario_prints_what_would_make_it_feasible(tmp_path: Path) -> None:
    document = json.loads(DESIGN_EXAMPLE.read_text(encoding="utf-8"))
    document["budget"]["per_year"] = [40_000, 200_000, 200_000]
    file = tmp_path / "infeasible.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(app, ["solve", str(file)])
    assert result.exit_code == 1
    assert "What would make it feasible" in result.stdout
    assert "release the lock to fund Buurtbeheerder in Tarwewijk" in result.stdout
    assert "add €8,750 to the 2027 corporation budget" in result.stdout


def test_explain_full_re_solves_the_costs_of_forcing_and_the_default_says_it_offers_that() -> None:
    standard = runner.invoke(app, ["solve", str(DESIGN_EXAMPLE), "--mip-gap", "0", "--json"])
    full = runner.invoke(
        app, ["solve", str(DESIGN_EXAMPLE), "--mip-gap", "0", "--json", "--explain", "full"]
    )
    assert standard.exit_code == 0, standard.output
    assert full.exit_code == 0, full.output
    default = json.loads(standard.stdout)["explanation"]
    exact = json.loads(full.stdout)["explanation"]
    assert default["level"] == "standard"
    assert any("full" in offer for offer in default["on_request"])
    assert exact["level"] == "full"
    assert exact["on_request"] == []
    # the one outcompeted pair: estimated by default, re-solved at the full level
    assert [row["estimate"] for row in default["candidates"] if row["reason"] == "outcompeted"]
    assert all(row["estimate"] for row in default["candidates"] if row["reason"] == "outcompeted")
    assert not any(row["estimate"] for row in exact["candidates"])
