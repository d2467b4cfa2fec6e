"""The embedded runner: solver processes beside the API, fed from the runs table.

One thread per runner loops every `runner_poll_s`:
1. collect what finished solver processes answered and write it (only while holding the lease);
   a process still going at its run's time limit + explaining + grace (`app.optimizer.guard`)
   is stopped, and the run fails;
2. renew the leases of its runs, and stop the processes of runs whose cancellation was asked
   or whose lease another runner has taken over;
3. claim queued runs (or runs with an expired lease) up to `runner_workers`, and start a
   process for each.

Each solve runs in a process of its own (forked from a clean forkserver), so a cancellation
can stop it outright and its memory goes when it ends. A runner that stops cleanly puts its runs
back in the queue; one that is killed leaves leases that expire, after which any runner takes
the runs over. Claims are atomic in the database, so two runners never solve the same run.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

from app.core.config import Settings
from app.core.db import Database
from app.core.error_ids import log_failure, new_error_id
from app.jobs.solver_process import deadline_s as _deadline_s
from app.jobs.solver_process import solver_context
from app.jobs.solver_process import time_limit as _time_limit
from app.jobs.solver_process import warm_up as _warm_up
from app.jobs.worker import solve_snapshot
from app.optimizer import RunLimits
from app.optimizer.backends.child_process import end_process
from app.optimizer.guard import overrun_message
from app.repositories.runs import ClaimedRun, RunQueue

log = logging.getLogger("onderbouwd.runner")


@dataclass
class _Active:
    run_id: uuid.UUID
    attempts: int
    process: BaseProcess
    connection: Connection
    message: tuple[str, Any] | None = None  # the last one: the answer, or why there is none
    planned: bool = False  # its plan is written; the process is making the explanation
    renewed: float = field(default_factory=time.monotonic)
    deadline: float = float("inf")
    overrun: str = ""  # what the run fails with when its process is still going at the deadline


class EmbeddedRunner:
    def __init__(self, database: Database, settings: Settings, owner: str | None = None) -> None:
        self.database = database
        self.settings = settings
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._active: dict[uuid.UUID, _Active] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: BaseContext = solver_context()
        # Written to by `wake`: the loop waits on it and on its solver processes' pipes, so
        # that a new run is claimed, and a plan written, as soon as there is one.
        self._wake_reader, self._wake_writer = os.pipe()
        os.set_blocking(self._wake_writer, False)

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="onderbouwd-runner", daemon=True)
        self._thread.start()
        log.info("runner %s started (%d workers)", self.owner, self.settings.runner_workers)

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop claiming, stop the solver processes, and put their runs back in the queue (a
        run whose plan is written keeps it; its explanation fails)."""
        self._stopping.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        for active in list(self._active.values()):
            end_process(active.process)
            if active.planned:
                self._write(
                    lambda queue, a=active: queue.explanation_failed(
                        a.run_id, self.owner, "the server stopped before it was made"
                    )
                )
                continue
            self._write(
                lambda queue, a=active: queue.release(a.run_id, self.owner, count_attempt=False)
            )
        self._active.clear()

    def wake(self) -> None:
        """Look for queued runs now rather than at the next poll."""
        try:
            os.write(self._wake_writer, b"!")
        except (BlockingIOError, OSError):  # already awake, or the pipe is gone
            pass

    @property
    def active_runs(self) -> set[uuid.UUID]:
        return set(self._active)

    def _loop(self) -> None:
        _warm_up(self._context)
        while not self._stopping.is_set():
            try:
                self.tick()
            except Exception:  # a database hiccup must not end the runner
                log.exception("runner %s: tick failed; trying again", self.owner)
            self._idle(self.settings.runner_poll_s)

    def _idle(self, seconds: float) -> None:
        """Until `seconds` pass, a solver process says something, or `wake` is called."""
        waiting: list[Any] = [active.connection for active in self._active.values()]
        if multiprocessing.connection.wait([*waiting, self._wake_reader], timeout=seconds):
            try:
                os.set_blocking(self._wake_reader, False)
                os.read(self._wake_reader, 4096)
            except (BlockingIOError, OSError):
                pass

    def tick(self) -> None:
        self._collect()
        self._renew()
        if not self._stopping.is_set():
            self._claim()

    # --- the three steps -------------------------------------------------------------------

    def _collect(self) -> None:
        for active in list(self._active.values()):
            if active.message is None and active.process.is_alive() and not self._read(active):
                if time.monotonic() < active.deadline:
                    continue
                end_process(active.process)
                active.message = ("failed", active.overrun)
            if active.message is None:
                self._read(active)  # a last look: the answer may have come just before the exit
            active.process.join(5)
            del self._active[active.run_id]
            active.connection.close()
            self._record(active)

    def _read(self, active: _Active) -> bool:
        """Take what the process has sent: a plan is written at once; whether its last
        message (the answer, or why there is none) is in."""
        try:
            while active.message is None and active.connection.poll():
                kind, payload = active.connection.recv()
                if kind == "plan" and not active.planned:
                    active.planned = True
                    self._write(
                        lambda queue, plan=payload: queue.record_plan(
                            active.run_id, self.owner, plan
                        )
                    )
                elif kind != "plan":
                    active.message = (kind, payload)
        except (EOFError, OSError):
            pass
        return active.message is not None

    def _record(self, active: _Active) -> None:
        run_id, owner = active.run_id, self.owner
        if active.planned:
            self._record_explanation(active)
            return
        if active.message is not None:
            kind, payload = active.message
            if kind == "done":
                self._write(
                    lambda queue: queue.finish(
                        run_id,
                        owner,
                        "done",
                        result_status=payload["status"],
                        recommendation=payload,
                    )
                )
            else:
                self._write(lambda queue: queue.finish(run_id, owner, "failed", error=payload))
            return
        code = active.process.exitcode
        if active.attempts >= self.settings.runner_max_attempts:
            reason = (
                f"the solver process stopped without an answer (exit code {code}) on each of "
                f"{active.attempts} attempts; a solve that needs more than the memory limit of "
                f"{self.settings.solve_memory_limit_mb} MiB per solve ends this way too"
            )
            self._write(lambda queue: queue.finish(run_id, owner, "failed", error=reason))
        else:
            log.warning("run %s: solver process stopped (exit code %s); queued again", run_id, code)
            self._write(lambda queue: queue.release(run_id, owner, count_attempt=True))

    def _record_explanation(self, active: _Active) -> None:
        run_id, owner = active.run_id, self.owner
        kind, payload = active.message or ("", None)
        if kind == "done":
            self._write(lambda queue: queue.record_explanation(run_id, owner, payload))
            return
        reason = (
            payload
            if kind == "failed"
            else f"the solver process stopped (exit code {active.process.exitcode})"
        )
        self._write(lambda queue: queue.explanation_failed(run_id, owner, reason))

    def _renew(self) -> None:
        if not self._active:
            self._write(lambda queue: queue.cancel_abandoned())
            self._write(lambda queue: queue.fail_abandoned_explanations())
            self._write(lambda queue: queue.settle_sweeps())
            return
        now = time.monotonic()
        beat = self.settings.runner_lease_s / 3
        with self.database.transaction() as session:
            queue = RunQueue(session)
            lost = set()
            for active in self._active.values():
                if now - active.renewed >= beat:
                    if queue.heartbeat(active.run_id, self.owner, self.settings.runner_lease_s):
                        active.renewed = now
                    else:
                        lost.add(active.run_id)
            cancelled = queue.cancel_requested(list(self._active)) - lost
            for run_id in cancelled:
                end_process(self._active[run_id].process)
                queue.finish(run_id, self.owner, "cancelled")
            queue.cancel_abandoned()
        for run_id in lost | cancelled:
            active = self._active.pop(run_id)
            if run_id in lost:
                log.warning("run %s: lease lost to another runner; stopping here", run_id)
                end_process(active.process)
            active.connection.close()

    def _claim(self) -> None:
        while len(self._active) < self.settings.runner_workers and not self._stopping.is_set():
            claimed = self._claim_one()
            if claimed is None:
                return
            self._spawn(claimed)

    def _claim_one(self) -> ClaimedRun | None:
        while True:
            with self.database.transaction() as session:
                queue = RunQueue(session)
                claimed = queue.claim(self.owner, self.settings.runner_lease_s)
                if claimed is None or claimed.attempts <= self.settings.runner_max_attempts:
                    return claimed
                queue.finish(
                    claimed.id,
                    self.owner,
                    "failed",
                    error=f"gave up after {claimed.attempts - 1} attempts",
                )

    def _spawn(self, claimed: ClaimedRun) -> None:
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(  # type: ignore[attr-defined]
            target=solve_snapshot,
            args=(claimed.document, self.settings, sender, claimed.start_plan, claimed.explain),
            name=f"onderbouwd-run-{claimed.id}",
            daemon=True,
        )
        try:
            process.start()
        except Exception as error:  # counts as an attempt, so it cannot loop for ever
            error_id = new_error_id()
            log_failure(log, error_id, f"run {claimed.id}: could not start a solver process", error)
            receiver.close()
            sender.close()
            if claimed.attempts >= self.settings.runner_max_attempts:
                reason = f"could not start a solver process (error id {error_id})"
                self._write(
                    lambda queue: queue.finish(claimed.id, self.owner, "failed", error=reason)
                )
            else:
                self._write(lambda queue: queue.release(claimed.id, self.owner, count_attempt=True))
            return
        sender.close()
        limit = _time_limit(claimed.document, self.settings)
        self._active[claimed.id] = _Active(
            claimed.id,
            claimed.attempts,
            process,
            receiver,
            deadline=time.monotonic() + _deadline_s(limit, claimed.explain),
            overrun=overrun_message(limit, RunLimits(explain=claimed.explain)),
        )
        log.info("run %s: solving (attempt %d)", claimed.id, claimed.attempts)

    def _write(self, action: Any) -> Any:
        with self.database.transaction() as session:
            return action(RunQueue(session))

