"""`onderbouwd worker` on the Celery backend: a Celery worker with the run task, the stale-run
check and (optionally) a Prometheus metrics server.

The pool is threads, `worker_concurrency` of them (default: the machine's cores): each thread
holds one task and waits on the solve's own process, so each solve has a process of its own, its
memory capped by `solve_memory_limit_mb` and its time by the run's deadline. Killing the worker
ends its solves with it (each exits when its parent goes).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import uuid

from celery import Celery, Task

from app.core.config import Settings
from app.core.db import Database
from app.jobs.celery_app import SOLVE_RUN, make_celery, send_run
from app.jobs.single_run import solve_run
from app.jobs.solver_process import solver_context, warm_up
from app.jobs.stale_check import StaleRunCheck

log = logging.getLogger("onderbouwd.worker")


def worker_name() -> str:
    """hostname:pid:random, the owner written on the runs this worker claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def concurrency(settings: Settings) -> int:
    return settings.worker_concurrency or os.cpu_count() or 1


def worker_app(database: Database, settings: Settings, owner: str) -> Celery:
    app = make_celery(settings)

    @app.task(name=SOLVE_RUN, bind=True)
    def solve_run_task(task: Task, run_id: str) -> str:  # type: ignore[type-arg]
        outcome = solve_run(database, settings, uuid.UUID(run_id), owner)
        if outcome == "busy":
            # Another worker holds it under a live lease: look again once it could have lapsed.
            send_run(app, settings, uuid.UUID(run_id), countdown_s=settings.runner_lease_s)
        return outcome

    return app


def run_worker(settings: Settings) -> None:
    database = Database(settings.database_url)
    owner = worker_name()
    app = worker_app(database, settings, owner)
    warm_up(solver_context())
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port)
    check = StaleRunCheck(database, settings, app)
    check.start()
    log.info("worker %s: %d solves at once on queue %s", owner, concurrency(settings),
             settings.broker_queue)
    try:
        worker = app.Worker(
            hostname=f"onderbouwd@{owner}",
            pool_cls="threads",
            concurrency=concurrency(settings),
            queues=[settings.broker_queue],
            without_mingle=True,
            without_gossip=True,
            optimization="fair",
            loglevel="INFO",
        )
        worker.start()
    finally:
        check.stop()
        database.dispose()
