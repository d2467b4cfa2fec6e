"""One run, solved by a Celery worker: claim it, solve it in a process of its own, write it.

What makes the task safe to deliver twice (late acknowledgement redelivers it when a worker is
lost, the stale-run check sends it again): the claim. It takes the run only when the run is
queued, or running under a lease that expired; a finished run is never solved again, and a run
another worker holds is left to it (the task asks to be retried once that lease could have
lapsed). Every write after the claim is conditional on still holding the lease, so a worker that
lost its run (it stalled past its lease and another took over) writes nothing.

While the solver process works, the lease is renewed every third of `runner_lease_s` and a
cancellation asked for is honoured; at the run's deadline (time limit + explaining + grace) the
process is stopped and the run fails saying so. A worker killed outright stops renewing: the
lease expires, the stale-run check sends the task again, and another worker solves the run
(`attempts` counts both; `held_by` names the last).
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any, Literal

import structlog
from sqlalchemy import Select, select

from app.core.config import Settings
from app.core.db import Database
from app.jobs.solver_process import (
    deadline_s,
    receive,
    record_outcome,
    solver_context,
    time_limit,
)
from app.jobs.worker import solve_snapshot
from app.models import Run
from app.optimizer import RunLimits
from app.optimizer.backends.child_process import end_process
from app.optimizer.guard import overrun_message
from app.repositories.runs import ClaimedRun, RunQueue

log = logging.getLogger("onderbouwd.worker")

Outcome = Literal["done", "failed", "queued", "cancelled", "lost", "finished", "busy", "missing"]


def solve_run(database: Database, settings: Settings, run_id: uuid.UUID, owner: str) -> Outcome:
    """Solve the run if it is this worker's to solve. `finished`: it was finished already;
    `busy`: another worker holds it; `missing`: no such run (yet)."""
    with database.transaction() as session:
        queue = RunQueue(session)
        claimed = queue.claim_run(run_id, owner, settings.runner_lease_s)
        if claimed is None:
            state = queue.state(run_id)
        elif claimed.attempts > settings.runner_max_attempts:
            queue.finish(run_id, owner, "failed",
                         error=f"gave up after {claimed.attempts - 1} attempts")
            return "failed"
        organisation_id = session.scalar(_organisation_of(run_id))
    if claimed is None:
        if state is None:
            return "missing"
        return "busy" if state in ("queued", "running") else "finished"
    with structlog.contextvars.bound_contextvars(
        run_id=str(run_id), organisation_id=str(organisation_id)
    ):
        log.info("run %s: solving (attempt %d)", run_id, claimed.attempts)
        outcome = _supervise(database, settings, claimed, owner)
        log.info("run %s: %s", run_id, outcome)
        return outcome


def _organisation_of(run_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(Run.organisation_id).where(Run.id == run_id)


def _supervise(database: Database, settings: Settings, claimed: ClaimedRun, owner: str
               ) -> Outcome:
    """Solve in a process of its own. The process sends the plan first (written at once: the
    run is done and readable) and then the whole answer with its explanation (written over it);
    or why there is none."""
    context = solver_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(  # type: ignore[attr-defined]
        target=solve_snapshot,
        args=(claimed.document, settings, sender, claimed.start_plan, claimed.explain),
        name=f"onderbouwd-run-{claimed.id}", daemon=True,
    )
    process.start()
    sender.close()
    limit = time_limit(claimed.document, settings)
    deadline = time.monotonic() + deadline_s(limit, claimed.explain)
    beat = settings.runner_lease_s / 3
    renewed = time.monotonic()
    message: tuple[str, Any] | None = None
    planned = False
    try:
        while message is None and process.is_alive():
            message = receive(receiver, min(beat, max(0.0, deadline - time.monotonic()), 0.5))
            if message is not None and message[0] == "plan":
                if not planned:
                    planned = _write_plan(database, claimed, owner, message[1])
                message = None
                continue
            if message is not None:
                break
            if time.monotonic() >= deadline:
                end_process(process)
                message = ("failed", overrun_message(limit, RunLimits(explain=claimed.explain)))
                break
            if time.monotonic() - renewed >= beat:
                kept, cancelled = _renew(database, settings, claimed.id, owner)
                renewed = time.monotonic()
                if not kept:
                    log.warning("run %s: lease lost to another worker; stopping here",
                                claimed.id)
                    return "lost"
                if cancelled and not planned:
                    end_process(process)
                    with database.transaction() as session:
                        RunQueue(session).finish(claimed.id, owner, "cancelled")
                    return "cancelled"
        while message is None:  # what came just before the exit
            message = receive(receiver)
            if message is None or message[0] != "plan":
                break
            if not planned:
                planned = _write_plan(database, claimed, owner, message[1])
            message = None
    finally:
        end_process(process)
        receiver.close()
    with database.transaction() as session:
        queue = RunQueue(session)
        if planned:
            if message is not None and message[0] == "done":
                queue.record_explanation(claimed.id, owner, message[1])
            else:
                reason = (message[1] if message is not None
                          else f"the solver process stopped (exit code {process.exitcode})")
                queue.explanation_failed(claimed.id, owner, reason)
            return "done"
        outcome = record_outcome(
            queue, claimed.id, owner, message, attempts=claimed.attempts,
            exit_code=process.exitcode, settings=settings,
        )
    return outcome  # type: ignore[return-value]


def _write_plan(database: Database, claimed: ClaimedRun, owner: str, plan: dict[str, Any]
                ) -> bool:
    with database.transaction() as session:
        return RunQueue(session).record_plan(claimed.id, owner, plan)


def _renew(database: Database, settings: Settings, run_id: uuid.UUID, owner: str
           ) -> tuple[bool, bool]:
    """Renew the lease: (still held, cancellation asked)."""
    with database.transaction() as session:
        queue = RunQueue(session)
        kept = queue.heartbeat(run_id, owner, settings.runner_lease_s)
        return kept, bool(queue.cancel_requested([run_id]))
