"""`onderbouwd sweep SCENARIO_ID --from X --to Y --steps N --wait`: a budget sweep started on the
database as the API starts one, followed to its end, its frontier printed; each point's status
and objective are those of a fresh solve of the document at that budget (mip_gap 0)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import select
from typer.testing import CliRunner

from app.cli.main import app
from app.core.config import Settings
from app.core.db import Database
from app.models import Run, Sweep
from app.schemas.scenario import parse_scenario
from app.services.planning.solving import solve_inline
from tests.cli.solving import stored
from tests.jobs.queue_helpers import design_example, queue_runs
from tests.tenants import Tenant

runner = CliRunner()


def _proven() -> dict[str, Any]:
    document = design_example()
    document["solver"]["mip_gap"] = 0
    return document


def _at(document: dict[str, Any], budget: float, scale: str) -> dict[str, Any]:
    """The document at `budget`, as sweeps are documented to make it (written out here)."""
    changed = copy.deepcopy(document)
    limit = changed["budget"]
    if scale == "proportional" and limit.get("per_year"):
        reference = limit.get("total") or sum(limit["per_year"])
        limit["per_year"] = [round(v * budget / reference, 2) for v in limit["per_year"]]
    limit["total"] = budget
    return changed


def _frontier(output: str) -> list[tuple[float, str, str, str, str]]:
    """(budget, state, status, objective, gap) of each printed point, as printed."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["budget", "state"])
    rows = []
    for line in lines[start + 1:]:
        fields = line.split()
        if len(fields) != 5:
            break
        rows.append((float(fields[0].replace(",", "")), *fields[1:]))  # type: ignore[arg-type]
    return rows  # type: ignore[return-value]


def _expected(document: dict[str, Any], budgets: list[float], scale: str
              ) -> list[tuple[float, str, str, str, str]]:
    rows = []
    for budget in budgets:
        fresh = solve_inline(parse_scenario(_at(document, budget, scale)), Settings(),
                             explain=False)
        objective = "-" if fresh.objective is None else f"{fresh.objective:,.2f}"
        gap = "-" if fresh.gap is None else f"{fresh.gap:.2%}"
        rows.append((budget, "done", fresh.status, objective, gap))
    return rows


def _said(result: Result) -> str:
    """The output with the terminal's line wrapping undone."""
    return " ".join(result.output.split())


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception


@pytest.mark.parametrize(("arguments", "budgets", "scale"), [
    (["--from", "150000", "--to", "450000", "--steps", "3"], [150000, 300000, 450000],
     "proportional"),
    (["--values", "500000,100000,250000", "--scale", "total_only"], [100000, 250000, 500000],
     "total_only"),
])
def test_sweep_wait_prints_the_frontier_of_fresh_solves(
    solving: None, db: Database, tenant_a: Tenant, arguments: list[str], budgets: list[float],
    scale: str
) -> None:
    document = _proven()
    expected = _expected(document, budgets, scale)
    assert len({row[3] for row in expected}) == len(budgets)  # the answer changes each time

    result = runner.invoke(app, ["sweep", stored(db, tenant_a, document), *arguments,
                                 "--wait", "--timeout", "300"])

    assert result.exit_code == 0, result.output
    sweep_id = uuid.UUID(result.stdout.strip().splitlines()[0])
    assert _frontier(result.stdout) == expected
    with db.sessions() as session:
        sweep = session.get_one(Sweep, sweep_id)
        points = session.scalars(select(Run).where(Run.sweep_id == sweep_id)).all()
    assert (sweep.organisation_id, sweep.state, sweep.spec["scale"]) == (
        tenant_a.organisation_id, "done", scale)
    assert sorted(p.sweep_budget for p in points) == budgets


@pytest.mark.parametrize(("flags", "explain"), [([], False), (["--explain"], True)])
def test_without_wait_it_prints_the_id_of_the_queued_sweep(
    no_solver: None, db: Database, tenant_a: Tenant, flags: list[str], explain: bool
) -> None:
    result = runner.invoke(app, ["sweep", stored(db, tenant_a), "--values", "200000,300000",
                                 *flags])

    assert result.exit_code == 0, result.output
    sweep_id = uuid.UUID(result.stdout.strip())
    with db.sessions() as session:
        points = session.execute(
            select(Run.state, Run.explain).where(Run.sweep_id == sweep_id)).all()
        spec = session.get_one(Sweep, sweep_id).spec
    # plan-only points unless --explain
    assert sorted(points) == [("queued", explain), ("queued", explain)]
    assert spec["explain"] is explain


def test_a_sweep_still_going_at_the_timeout_exits_3(
    no_solver: None, db: Database, tenant_a: Tenant
) -> None:
    result = runner.invoke(app, ["sweep", stored(db, tenant_a), "--values", "200000,300000",
                                 "--wait", "--timeout", "0.5"])

    assert result.exit_code == 3, result.output
    assert "still running after 0.5 s (0 of 2 points)" in _said(result)
    _no_traceback(result)


def test_the_organisations_limit_holds_as_in_the_api(
    no_solver: None, db: Database, tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.config import get_settings

    monkeypatch.setenv("ONDERBOUWD_ORG_MAX_ACTIVE_RUNS", "1")
    get_settings.cache_clear()
    queue_runs(db, tenant_a, 1)  # one run queued: its one place is taken
    scenario = stored(db, tenant_a)

    result = runner.invoke(app, ["sweep", scenario, "--values", "200000,300000"])

    assert result.exit_code == 2, result.output
    assert "may have 1 at once" in _said(result)
    with db.sessions() as session:
        assert session.scalars(select(Sweep)).all() == []
    _no_traceback(result)


@pytest.mark.parametrize(("arguments", "message"), [
    (["--from", "100000", "--to", "500000", "--steps", "0"],
     "--steps: Input should be greater than or equal to 2"),
    (["--from", "500000", "--to", "100000", "--steps", "3"], "`to` must be above `from`"),
    (["--from", "100000", "--to", "500000"], "give `from`, `to` and `steps`"),
    (["--values", "1,2", "--steps", "3"], "give either `from`, `to` and `steps`, or `values`"),
    (["--values", "-5"], "budgets are between 0 and 1e13"),
    (["--values", "cheap"], "is not a comma-separated list of numbers"),
    (["--values", "1", "--scale", "sideways"], "sideways"),
    (["--values", "1", "--version", "7"], "no version 7"),
])
def test_bad_options_are_a_clear_error_and_start_nothing(
    no_solver: None, db: Database, tenant_a: Tenant, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["sweep", stored(db, tenant_a), *arguments])

    assert result.exit_code == 2, result.output
    assert message in _said(result), result.output
    _no_traceback(result)
    with db.sessions() as session:
        assert session.scalars(select(Sweep)).all() == []


def test_an_unknown_scenario_exits_2(no_solver: None, db: Database) -> None:
    missing = uuid.uuid4()
    result = runner.invoke(app, ["sweep", str(missing), "--from", "1", "--to", "2",
                                 "--steps", "2", "--wait"])
    assert result.exit_code == 2
    assert f"no scenario {missing}" in _said(result)
    _no_traceback(result)
