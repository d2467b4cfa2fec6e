"""The embedded runner in this process: solver processes that die, and limits on attempts."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from app.core.config import Settings
from app.core.db import Database
from app.jobs.runner import EmbeddedRunner
from tests.api.planning.test_health_during_solve import slow_scenario
from tests.jobs.queue_helpers import queue_runs, run_rows
from tests.tenants import Tenant


@pytest.fixture
def settings(test_settings: Settings) -> Settings:
    return test_settings.model_copy(update={"runner_poll_s": 0.05, "runner_workers": 1,
                                            "runner_max_attempts": 2})


@pytest.fixture
def runner(db: Database, settings: Settings) -> Iterator[EmbeddedRunner]:
    runner = EmbeddedRunner(db, settings, owner="test-runner")
    yield runner
    runner.stop()


def _wait(db: Database, run_id: uuid.UUID, states: tuple[str, ...], timeout_s: float = 30
          ) -> None:
    deadline = time.monotonic() + timeout_s
    while run_rows(db, [run_id])[run_id].state not in states:
        assert time.monotonic() < deadline, run_rows(db, [run_id])[run_id].state
        time.sleep(0.05)


def _kill_solver(runner: EmbeddedRunner, run_id: uuid.UUID, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while run_id not in runner.active_runs:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    runner._active[run_id].process.kill()


def test_a_dead_solver_process_is_retried_then_the_run_fails(
    db: Database, tenant_a: Tenant, runner: EmbeddedRunner
) -> None:
    document = slow_scenario()
    document["solver"]["time_limit_s"] = 60
    [run_id] = queue_runs(db, tenant_a, 1, document)
    runner.start()

    _kill_solver(runner, run_id)
    _wait(db, run_id, ("queued", "running"))
    deadline = time.monotonic() + 30
    while run_rows(db, [run_id])[run_id].attempts < 2:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    _kill_solver(runner, run_id)
    _wait(db, run_id, ("failed",))

    row = run_rows(db, [run_id])[run_id]
    assert row.attempts == 2
    assert row.error is not None
    assert "on each of 2 attempts" in row.error


def test_a_stopped_runner_puts_its_runs_back(
    db: Database, tenant_a: Tenant, settings: Settings
) -> None:
    document = slow_scenario()
    document["solver"]["time_limit_s"] = 60
    [run_id] = queue_runs(db, tenant_a, 1, document)
    first = EmbeddedRunner(db, settings, owner="first")
    first.start()
    _wait(db, run_id, ("running",))
    first.stop()

    row = run_rows(db, [run_id])[run_id]
    assert (row.state, row.attempts, row.lease_owner) == ("queued", 0, None)
