"""A run's solver process that overruns its time limit (+ explaining + grace) is stopped."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest

from app.core.config import Settings
from app.core.db import Database
from app.jobs import runner as runner_module
from app.jobs.runner import EmbeddedRunner
from tests.api.planning.test_health_during_solve import slow_scenario
from tests.jobs.queue_helpers import queue_runs, run_rows
from tests.tenants import Tenant


@pytest.fixture
def settings(test_settings: Settings) -> Settings:
    return test_settings.model_copy(update={"runner_poll_s": 0.05, "runner_workers": 1})


@pytest.fixture
def runner(db: Database, settings: Settings) -> Iterator[EmbeddedRunner]:
    runner = EmbeddedRunner(db, settings, owner="test-runner")
    yield runner
    runner.stop()


def _wait_state(db: Database, run_id: uuid.UUID, timeout_s: float = 60) -> str:
    deadline = time.monotonic() + timeout_s
    while (state := run_rows(db, [run_id])[run_id].state) not in ("done", "failed"):
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    return state


def test_the_deadline_is_the_limit_plus_explaining_plus_grace(settings: Settings) -> None:
    document = slow_scenario()
    document["solver"]["time_limit_s"] = 60
    limit = runner_module._time_limit(document, settings)
    assert limit == min(60, settings.max_time_limit_s)
    assert runner_module._deadline_s(60) == 60 + 60 + 15
    document["solver"]["time_limit_s"] = 10 * settings.max_time_limit_s
    assert runner_module._time_limit(document, settings) == settings.max_time_limit_s
    assert runner_module._time_limit({"solver": "nonsense"}, settings) > 0


def test_a_process_past_its_deadline_is_stopped_and_the_run_fails(
    db: Database,
    tenant_a: Tenant,
    runner: EmbeddedRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The solve itself would take its whole minute; the deadline is made short instead.
    monkeypatch.setattr(runner_module, "_deadline_s", lambda time_limit_s, explain=True: 1.5)
    document = slow_scenario()
    document["solver"]["time_limit_s"] = 60
    [run_id] = queue_runs(db, tenant_a, 1, document)
    started = time.monotonic()
    runner.start()
    deadline = time.monotonic() + 30
    while run_id not in runner.active_runs:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    pid = runner._active[run_id].process.pid
    assert pid is not None

    assert _wait_state(db, run_id) == "failed"
    assert time.monotonic() - started < 30  # not the minute the solve asked for
    row = run_rows(db, [run_id])[run_id]
    assert row.error is not None
    assert "did not stop within the time limit of 60 s" in row.error
    assert row.attempts == 1
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_run_within_its_deadline_is_done(
    db: Database, tenant_a: Tenant, runner: EmbeddedRunner
) -> None:
    [run_id] = queue_runs(db, tenant_a, 1)
    runner.start()
    assert _wait_state(db, run_id) == "done"
