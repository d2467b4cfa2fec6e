"""A Celery worker killed (SIGKILL) while it holds a long solve: another worker takes the run
over and completes it exactly once, and the other runs are not disturbed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.core.config import Settings
from app.core.db import Database
from app.jobs.backend import CeleryBackend
from app.schemas.scenario import parse_scenario
from app.services.planning.solving import solve_inline
from tests.api.planning.test_health_during_solve import slow_scenario
from tests.celery_workers import Broker, wait_for_workers, worker
from tests.distributed.processes import finish_events, rows, wait_for_states
from tests.jobs.queue_helpers import design_example, queue_runs
from tests.tenants import Tenant

pytestmark = pytest.mark.slow

LONG_SOLVE_S = 6


@contextmanager
def sending(database: Database, broker: Broker) -> Iterator[Settings]:
    """Runs queued in this block are sent to the broker when their transaction commits, as the
    API sends them."""
    settings = Settings(database_url=database.url.render_as_string(False), **broker.settings())
    backend = CeleryBackend(database, settings)
    backend.start()
    try:
        yield settings
    finally:
        backend.stop()


def test_a_run_whose_worker_is_killed_completes_once_on_another(
    pg: Database, broker: Broker, tenant: Tenant
) -> None:
    url = pg.url.render_as_string(hide_password=False)
    long_document = slow_scenario()
    long_document["solver"]["time_limit_s"] = LONG_SOLVE_S
    expected = solve_inline(parse_scenario(design_example()), Settings()).objective

    with worker(url, broker) as first, worker(url, broker) as second:
        with sending(pg, broker) as settings:
            wait_for_workers(settings, 2)
            [long_run] = queue_runs(pg, tenant, 1, long_document)
            short_runs = queue_runs(pg, tenant, 3)
        holding = wait_for_states(pg, [long_run], ("running",))[long_run]
        assert holding.held_by is not None
        holder_pid = int(holding.held_by.split(":")[1])
        killed = {first.pid: first, second.pid: second}[holder_pid]
        killed.kill()

        with worker(url, broker):
            final = wait_for_states(pg, [long_run, *short_runs], timeout_s=180)

    taken_over = final[long_run]
    assert (taken_over.state, taken_over.attempts) == ("done", 2), taken_over.error
    assert taken_over.result_status in ("optimal", "feasible")
    assert taken_over.held_by != holding.held_by
    assert len(finish_events(pg, long_run)) == 1  # written once: one run.finished
    for run_id in short_runs:
        row = final[run_id]
        assert (row.state, row.attempts, row.result_status) == ("done", 1, "optimal")
        assert row.recommendation is not None
        assert row.recommendation["objective"] == pytest.approx(expected, rel=1e-9)
        assert len(finish_events(pg, run_id)) == 1
    assert set(rows(pg, short_runs)) == set(short_runs)
