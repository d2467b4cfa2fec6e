"""Runs as jobs: 202 → poll → the result of a synchronous solve of the same snapshot; cancel;
idempotency; a run solves the version it was started on."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.schemas.scenario import parse_scenario
from app.services.planning.solving import solve_inline
from tests.api.planning.test_health_during_solve import slow_scenario
from tests.api.solving_apps import BACKENDS, solving_client
from tests.api.stored import RUNS, SCENARIOS, start, store, wait_until, without_timings
from tests.conftest import ClientFactory
from tests.tenants import Tenant


@pytest.fixture(params=BACKENDS)
def running(request: pytest.FixtureRequest, db: Database, tenant_a: Tenant,
            test_settings: Settings) -> Iterator[TestClient]:
    """A planner's client of an app whose runs are solved: by its embedded runner, or by two
    Celery worker processes on Redis."""
    with solving_client(request, db, tenant_a, test_settings) as client:
        yield client


class TestRun:
    def test_202_then_poll_gives_the_synchronous_result(
        self, running: TestClient, design_example: dict, test_settings: Settings
    ) -> None:
        scenario = store(running, design_example)

        queued = start(running, scenario["id"])
        done = wait_until(running, queued["id"])

        assert queued["state"] == "queued"
        assert (done["state"], done["status"], done["attempts"]) == ("done", "optimal", 1)
        assert done["started_at"] <= done["finished_at"]
        snapshot = running.get(f"{SCENARIOS}/{scenario['id']}/versions/1").json()["document"]
        direct = solve_inline(parse_scenario(snapshot), test_settings).model_dump(mode="json")
        assert without_timings(done["recommendation"]) == without_timings(direct)
        assert done["objective"] == pytest.approx(10737.17, abs=0.01)

    def test_a_run_solves_the_version_it_was_started_on(
        self, running: TestClient, design_example: dict
    ) -> None:
        scenario = store(running, design_example)
        changed = copy.deepcopy(design_example)
        changed["budget"]["total"] = 300000
        running.put(f"{SCENARIOS}/{scenario['id']}", json={"document": changed})

        first = wait_until(running, start(running, scenario["id"], {"version": 1})["id"])
        current = wait_until(running, start(running, scenario["id"])["id"])

        assert (first["scenario_version"], current["scenario_version"]) == (1, 2)
        assert first["objective"] == pytest.approx(10737.17, abs=0.01)
        assert current["objective"] < first["objective"]
        listed = running.get(RUNS, params={"scenario_id": scenario["id"]}).json()["items"]
        assert [r["id"] for r in listed] == [first["id"], current["id"]]
        assert all("recommendation" not in r for r in listed)

    def test_an_invalid_stored_snapshot_fails_with_the_reason(
        self, running: TestClient, design_example: dict, db: Database
    ) -> None:
        scenario = store(running, design_example)
        with db.engine.begin() as connection:  # a document no version could hold today
            connection.exec_driver_sql("UPDATE scenario_versions SET document = '{}'"
                                       if db.engine.dialect.name == "sqlite" else
                                       "UPDATE scenario_versions SET document = '{}'::jsonb")
        failed = wait_until(running, start(running, scenario["id"])["id"])
        assert failed["state"] == "failed"
        assert "not valid" in failed["error"]


class TestCancel:
    def test_a_queued_run_is_cancelled_at_once(
        self, client_factory: ClientFactory, design_example: dict
    ) -> None:
        client = client_factory(role="planner")  # no runner: the run stays queued
        run = start(client, store(client, design_example)["id"])

        response = client.post(f"{RUNS}/{run['id']}/cancel")

        assert response.status_code == 202
        assert response.json()["state"] == "cancelled"
        assert client.post(f"{RUNS}/{run['id']}/cancel").json()["state"] == "cancelled"

    def test_a_running_solve_is_stopped(self, running: TestClient) -> None:
        document: dict[str, Any] = slow_scenario()
        document["solver"]["time_limit_s"] = 120
        run = start(running, store(running, document)["id"])
        wait_until(running, run["id"], ("running",))

        running.post(f"{RUNS}/{run['id']}/cancel")
        cancelled = wait_until(running, run["id"], timeout_s=10)

        assert cancelled["state"] == "cancelled"
        assert cancelled["recommendation"] is None
        # Embedded: the runner holds no process. Celery: only the worker holding the run (its
        # lease is live) writes `cancelled`, after stopping the solve's process.
        runner = getattr(running.app.state.jobs, "runner", None)  # type: ignore[attr-defined]
        assert runner is None or not runner.active_runs

    def test_a_finished_run_cannot_be_cancelled(
        self, running: TestClient, design_example: dict
    ) -> None:
        run = wait_until(running, start(running, store(running, design_example)["id"])["id"])
        response = running.post(f"{RUNS}/{run['id']}/cancel")
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"


class TestIdempotency:
    def test_the_same_key_starts_one_run(
        self, client_factory: ClientFactory, design_example: dict
    ) -> None:
        client = client_factory(role="planner")
        scenario = store(client, design_example)
        url = f"{SCENARIOS}/{scenario['id']}/runs"
        headers = {"Idempotency-Key": "nightly-2027-01-01"}

        first = client.post(url, headers=headers)
        again = client.post(url, headers=headers)
        other = client.post(url, json={"version": 1}, headers=headers)

        assert (first.status_code, again.status_code) == (202, 202)
        assert again.json()["id"] == first.json()["id"]
        assert again.headers["location"] == first.headers["location"]
        assert other.status_code == 409
        assert len(client.get(RUNS).json()["items"]) == 1

    def test_the_same_key_on_another_scenario_is_409(
        self, client_factory: ClientFactory, design_example: dict
    ) -> None:
        client = client_factory(role="planner")
        one, two = store(client, design_example), store(client, design_example)
        headers = {"Idempotency-Key": "k"}
        assert client.post(f"{SCENARIOS}/{one['id']}/runs", headers=headers).status_code == 202
        assert client.post(f"{SCENARIOS}/{two['id']}/runs", headers=headers).status_code == 409
