"""`onderbouwd run SCENARIO_ID --wait`: queues a run on the database and follows it to its end,
solved by an embedded runner beside it or by Celery workers."""

from __future__ import annotations

import uuid

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.models import Run
from app.schemas.scenario import parse_scenario
from app.services.planning.solving import solve_inline
from tests.cli.solving import stored
from tests.jobs.queue_helpers import design_example
from tests.tenants import Tenant

runner = CliRunner()


def test_run_wait_follows_the_run_to_its_plan(
    solving: None, db: Database, tenant_a: Tenant
) -> None:
    expected = solve_inline(parse_scenario(design_example()), Settings()).objective
    assert expected is not None

    result = runner.invoke(app, ["run", stored(db, tenant_a), "--wait", "--timeout", "120"])

    assert result.exit_code == 0, result.output
    run_id = uuid.UUID(result.stdout.strip().splitlines()[0])
    with db.sessions() as session:
        row = session.get_one(Run, run_id)
    assert (row.state, row.result_status, row.organisation_id) == (
        "done", "optimal", tenant_a.organisation_id)
    assert f"objective {expected:,.2f}" in result.output
    assert "done" in result.output


def test_run_of_an_unknown_scenario_exits_2(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONDERBOUWD_DATABASE_URL", db.url.render_as_string(False))
    get_settings.cache_clear()
    try:
        missing = uuid.uuid4()
        result = runner.invoke(app, ["run", str(missing), "--wait"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert f"no scenario {missing}" in result.output
