"""A scenario without interventions but with `cap_per_regulated_home` answers the same plan
everywhere: nothing to fund, objective 0 (there is nothing that could score), status optimal."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.core.config import Settings
from app.core.db import Database
from app.jobs.runner import EmbeddedRunner
from tests.jobs.queue_helpers import queue_runs, run_rows
from tests.tenants import Tenant

NOTHING_TO_FUND: dict[str, Any] = {
    "start_year": 2027,
    "horizon_years": 2,
    "neighbourhoods": [{"code": "BU1", "homes": 100, "regulated_homes": 50,
                        "scores": {"amenities": {"score": -1.0}}}],
    "interventions": [],
    "budget": {"total": 1000},
    "rules": {"cap_per_regulated_home": 10},
}


def _assert_nothing_funded(answer: dict[str, Any]) -> None:
    assert answer["status"] == "optimal"
    assert answer["objective"] == 0
    assert answer["allocations"] == []
    assert answer["spend"]["corporation_total"] == 0


def test_the_api_answers_a_plan_with_nothing_to_fund(api_client: TestClient) -> None:
    response = api_client.post("/api/v1/solve", json=NOTHING_TO_FUND)

    assert response.status_code == 200, response.text
    _assert_nothing_funded(response.json())


def test_the_cli_answers_the_same(tmp_path: Path) -> None:
    file = tmp_path / "empty.json"
    file.write_text(json.dumps(NOTHING_TO_FUND), encoding="utf-8")

    result = CliRunner().invoke(cli, ["solve", str(file), "--json"])

    assert result.exit_code == 0, result.output
    _assert_nothing_funded(json.loads(result.stdout))


def test_a_run_answers_the_same(db: Database, tenant_a: Tenant, test_settings: Settings) -> None:
    [run_id] = queue_runs(db, tenant_a, 1, NOTHING_TO_FUND)
    runner = EmbeddedRunner(db, test_settings.model_copy(update={"runner_poll_s": 0.05}))
    runner.start()
    try:
        deadline = time.monotonic() + 60
        while (row := run_rows(db, [run_id])[run_id]).state in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        runner.stop()

    assert row.state == "done", row.error
    assert row.recommendation is not None
    _assert_nothing_funded(row.recommendation)
