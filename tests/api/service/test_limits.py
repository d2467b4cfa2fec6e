"""Limits per organisation: solves at once (counted in the database), problem size, and the
memory of a solve's process."""

from __future__ import annotations

import json
import logging
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.core.config import Settings
from app.core.db import Database
from app.jobs.runner import EmbeddedRunner
from app.jobs.worker import solve_document, solve_snapshot
from examples.generate_random import random_scenario
from tests.api.helpers import PROBLEM_JSON, PROBLEMS
from tests.conftest import ClientFactory
from tests.jobs.queue_helpers import queue_runs, run_rows
from tests.tenants import Tenant


def _scenario(client: TestClient, document: dict[str, Any]) -> str:
    response = client.post("/api/v1/scenarios", json={"document": document})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


class TestActiveRuns:
    def test_over_the_limit_is_a_429_and_another_organisation_is_unaffected(
        self, client_factory: ClientFactory, tenant_b: Tenant, design_example: dict[str, Any]
    ) -> None:
        a = client_factory("planner", org_max_active_runs=2)
        scenario = _scenario(a, design_example)
        # No runner: the queued runs stay queued, and count.
        for _ in range(2):
            assert a.post(f"/api/v1/scenarios/{scenario}/runs").status_code == 202

        refused = a.post(f"/api/v1/scenarios/{scenario}/runs")
        solve = a.post("/api/v1/solve", json=design_example)

        for response in (refused, solve):
            assert response.status_code == 429, response.text
            assert response.headers["content-type"] == PROBLEM_JSON
            assert int(response.headers["Retry-After"]) > 0
            assert response.json()["type"] == PROBLEMS + "too-many-active-runs"
            assert "2 at once" in response.json()["detail"]
        b = client_factory(None, org_max_active_runs=2)
        b.headers.update(tenant_b.headers("planner"))
        assert b.post(f"/api/v1/scenarios/{_scenario(b, design_example)}/runs"
                      ).status_code == 202
        assert b.post("/api/v1/solve", json=design_example).status_code == 200

    def test_a_cancelled_run_frees_its_place(
        self, client_factory: ClientFactory, design_example: dict[str, Any]
    ) -> None:
        a = client_factory("planner", org_max_active_runs=1)
        scenario = _scenario(a, design_example)
        first = a.post(f"/api/v1/scenarios/{scenario}/runs").json()["id"]
        assert a.post(f"/api/v1/scenarios/{scenario}/runs").status_code == 429

        assert a.post(f"/api/v1/runs/{first}/cancel").status_code == 202

        assert a.post(f"/api/v1/scenarios/{scenario}/runs").status_code == 202

    def test_a_finished_synchronous_solve_frees_its_place(
        self, client_factory: ClientFactory, design_example: dict[str, Any]
    ) -> None:
        a = client_factory("viewer", org_max_active_runs=1)

        answers = [a.post("/api/v1/solve", json=design_example).status_code for _ in range(3)]

        assert answers == [200, 200, 200]


class TestProblemSize:
    def test_the_api_names_the_size_and_the_limit(
        self, client_factory: ClientFactory, design_example: dict[str, Any]
    ) -> None:
        n, i, t = (len(design_example["neighbourhoods"]), len(design_example["interventions"]),
                   design_example["horizon_years"])
        client = client_factory("planner", max_problem_size=n * i * t - 1)

        response = client.post("/api/v1/solve", json=design_example)

        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["type"] == PROBLEMS + "problem-too-large"
        assert f"{n * i * t:,}" in problem["detail"]
        assert f"{n * i * t - 1:,}" in problem["detail"]
        assert client_factory("planner", max_problem_size=n * i * t).post(
            "/api/v1/solve", json=design_example).status_code == 200

    def test_a_run_is_refused_before_it_is_queued(
        self, client_factory: ClientFactory, design_example: dict[str, Any]
    ) -> None:
        client = client_factory("planner", max_problem_size=10)
        scenario = _scenario(client, design_example)

        response = client.post(f"/api/v1/scenarios/{scenario}/runs")

        assert response.status_code == 422, response.text
        size = (len(design_example["neighbourhoods"]) * len(design_example["interventions"])
                * design_example["horizon_years"])
        assert f"= {size}" in response.json()["detail"]
        assert client.get("/api/v1/runs").json()["items"] == []

    def test_the_cli_refuses_it_too(self, tmp_path: Path, design_example: dict[str, Any],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
        file = tmp_path / "s.json"
        file.write_text(json.dumps(design_example), encoding="utf-8")
        size = (len(design_example["neighbourhoods"]) * len(design_example["interventions"])
                * design_example["horizon_years"])
        monkeypatch.setenv("ONDERBOUWD_MAX_PROBLEM_SIZE", str(size - 1))
        from app.core.config import get_settings
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(cli, ["solve", str(file)])
        finally:
            get_settings.cache_clear()

        assert result.exit_code == 2
        assert f"= {size}" in result.output
        assert f"limit of {size - 1}" in result.output


def _large_document() -> dict[str, Any]:
    document: dict[str, Any] = random_scenario(1500, 40, 3, 1)
    document.setdefault("solver", {})["time_limit_s"] = 20
    return document


class TestMemory:
    def test_a_solve_over_its_memory_limit_fails_with_an_error_id_and_the_log_has_the_rest(
        self, capfd: pytest.CaptureFixture[str]
    ) -> None:
        # A child started here writes its log to this process's (captured) stderr.
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        settings = Settings(solve_memory_limit_mb=400)  # the solve alone needs ~470 MiB
        process = context.Process(target=solve_snapshot,
                                  args=(_large_document(), settings, sender))
        process.start()
        sender.close()
        kind, reason = receiver.recv()
        process.join(30)

        assert process.exitcode == 0  # the process itself lived to answer
        assert kind == "failed"
        assert "ran out of memory" in reason
        assert "400 MiB" in reason
        assert "Traceback" not in reason
        assert "/" not in reason.replace("MiB per", "")
        error_id = reason.split("error id ", 1)[1].split(")")[0]
        log = capfd.readouterr().err
        assert error_id in log
        assert "Traceback" in log
        assert "MemoryError" in log

    def test_the_run_ends_as_an_error_and_the_runner_lives_on(
        self, db: Database, tenant_a: Tenant, test_settings: Settings,
        design_example: dict[str, Any]
    ) -> None:
        settings = test_settings.model_copy(update={"runner_poll_s": 0.05,
                                                    "solve_memory_limit_mb": 400})
        [large] = queue_runs(db, tenant_a, 1, _large_document())
        [small] = queue_runs(db, tenant_a, 1, design_example)
        runner = EmbeddedRunner(db, settings)
        runner.start()
        try:
            deadline = time.monotonic() + 120
            while any(row.state in ("queued", "running")
                      for row in run_rows(db, [large, small]).values()):
                assert time.monotonic() < deadline
                time.sleep(0.1)
        finally:
            runner.stop()

        rows = run_rows(db, [large, small])
        assert rows[large].state == "failed"
        assert "ran out of memory" in (rows[large].error or "")
        assert rows[small].state == "done"


class _Exploding(int):
    """A setting whose comparison fails the way an internal error does, with a path and SQL
    in its message (what must stay in the log)."""

    def __lt__(self, other: object) -> bool:
        raise RuntimeError('File "/srv/onderbouwd/app/services/planning/solving.py": '
                           "SELECT secret_sha256 FROM api_keys WHERE prefix = 'x'")

    __gt__ = __le__ = __ge__ = __lt__


def test_a_failed_runs_error_holds_an_id_and_the_log_the_details(
    design_example: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.model_construct(**{**Settings().model_dump(),
                                          "max_problem_size": _Exploding(10**9)})

    with caplog.at_level(logging.ERROR, logger="onderbouwd.worker"):
        kind, reason = solve_document(design_example, settings)

    assert kind == "failed"
    for leak in ("Traceback", "/srv", "SELECT"):
        assert leak not in reason
    error_id = reason.split("error id ", 1)[1].rstrip(")")
    [record] = [r for r in caplog.records if error_id in r.getMessage()]
    logged = caplog.text
    for detail in ("Traceback", "/srv/onderbouwd", "SELECT secret"):
        assert detail in logged
    assert record.exc_info is not None
