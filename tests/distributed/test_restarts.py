"""Restarts: an API process killed with runs queued loses none; a broker restarted without
persistence mid-batch loses none (the workers' stale-run check sends again what it forgot)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from app.core.config import Settings
from app.core.db import Database
from app.jobs.backend import CeleryBackend
from app.schemas.scenario import parse_scenario
from app.services.planning.solving import solve_inline
from tests.celery_workers import Broker, unique_broker, wait_for_workers, worker
from tests.distributed.processes import (
    PrivateRedis,
    api_server,
    finish_events,
    wait_for_states,
)
from tests.jobs.queue_helpers import design_example, queue_runs
from tests.tenants import Tenant

pytestmark = pytest.mark.slow


def _expected_objective() -> float | None:
    return solve_inline(parse_scenario(design_example()), Settings()).objective


def _assert_each_solved_once(database: Database, ids: list[uuid.UUID]) -> None:
    expected = _expected_objective()
    final = wait_for_states(database, ids, timeout_s=180)
    for run_id, row in final.items():
        assert (row.state, row.result_status) == ("done", "optimal"), row.error
        assert row.recommendation is not None
        assert row.recommendation["objective"] == pytest.approx(expected, rel=1e-9)
        assert len(finish_events(database, run_id)) == 1


def test_runs_queued_through_an_api_that_is_killed_are_all_solved(
    pg: Database, broker: Broker, tenant: Tenant
) -> None:
    url = pg.url.render_as_string(hide_password=False)
    with api_server(pg, broker) as base:  # no worker yet: the runs stay queued
        client = httpx.Client(base_url=base, headers=tenant.headers(), timeout=30)
        scenario = client.post("/api/v1/scenarios", json={"document": design_example()}).json()
        answers = [client.post(f"/api/v1/scenarios/{scenario['id']}/runs") for _ in range(3)]
        assert [answer.status_code for answer in answers] == [202] * 3
    # The server is gone (SIGKILL). One more run was written but its task never sent, as when
    # a server dies between its commit and the broker.
    unsent = queue_runs(pg, tenant, 1)
    ids = [uuid.UUID(answer.json()["id"]) for answer in answers] + unsent
    assert {row.state for row in wait_for_states(pg, ids, ("queued",)).values()} == {"queued"}

    with api_server(pg, broker), worker(url, broker), worker(url, broker):
        _assert_each_solved_once(pg, ids)


def test_a_broker_restart_mid_batch_loses_no_run(pg: Database, tenant: Tenant) -> None:
    redis_server = PrivateRedis()
    redis_server.start()
    private = unique_broker(redis_server.url)
    url = pg.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, **private.settings())
    try:
        with worker(url, private), worker(url, private):
            wait_for_workers(settings, 2)
            backend = CeleryBackend(pg, settings)
            backend.start()
            try:
                ids = queue_runs(pg, tenant, 8)
            finally:
                backend.stop()
            wait_for_states(pg, ids, ("done",), count=2)
            redis_server.kill()  # every message still waiting is lost with it
            redis_server.start()
            _assert_each_solved_once(pg, ids)
    finally:
        redis_server.kill()
