"""Every solve in a child process, stopped outright when it overruns its time limit.

In-process, HiGHS is stopped by an interrupt callback, but some of its loops never call it: on
very large models its presolve runs for minutes, and HiGHS 1.16's presolve of a sub-MIP can
loop for ever on a small one (a mutated scenario of 60 neighbourhoods x 3 interventions x 5
years: one empty-plan warning's re-solve, 278 rows after presolve, ran for 5 minutes until
killed; HiGHS 1.15.1 solves the same model in 1.2 s). A process kill is the last resort that
makes the time limit hold, so every solve runs in a child process that is killed at its
deadline, and the answer is then status "error" with a message saying so. A child costs about
35 ms (DESIGN's example: 0.07 s against 0.04 s in-process) once the fork server runs; starting
that server imports the solver once (0.5 s; in the API the job runner has mostly started it
already). The CLI, one thread that has run no solver yet, forks its child directly
(`fork_children`). The child's log lines (the stage records) and its plan ahead of
the explanation (`on_plan`) come back through the pipe.

The deadline is the effective time limit (building and solving) + the same again for what comes
after the solve (the explanation's budget is at most the time limit unless
`ExplainOptions.time_limit_s` says more; an infeasible scenario's diagnosis has the time limit
too) + a grace of max(10 s, 25 % of the time limit). A cancellation is passed on to the child,
which stops and answers as usual; from then on it has the grace to do so.
"""

from __future__ import annotations

import dataclasses
import logging
import logging.handlers
import multiprocessing
import secrets
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

from app.optimizer.backends.child_process import end_process, exit_with_parent, quiet_stdout
from app.optimizer.solve import RunLimits, scenario_sha256, solve, solver_report
from app.schemas.recommendation import Recommendation, Timings
from app.schemas.scenario import Scenario

log = logging.getLogger("onderbouwd.optimizer")

POLL_S = 0.1

Target = Callable[[Scenario, RunLimits], Recommendation]

_context_lock = threading.Lock()
_context_cache: list[BaseContext] = []
_fork_when_one_thread = threading.Event()


def should_guard(limits: RunLimits) -> bool:
    # A daemonic process (a job runner's solver process) may not start children; the process
    # that started it keeps the time instead.
    return limits.in_child_process and not multiprocessing.current_process().daemon


def effective_time_limit(scenario: Scenario, limits: RunLimits) -> float:
    """The scenario's time limit, capped by the server's as `solve` caps it."""
    limit = scenario.solver.time_limit_s
    if limits.max_time_limit_s is not None and limit > limits.max_time_limit_s:
        return limits.max_time_limit_s
    return limit


def grace_s(time_limit_s: float, limits: RunLimits) -> float:
    return max(limits.tuning.grace_min_s, limits.tuning.grace_fraction * time_limit_s)


def after_solve_s(time_limit_s: float, limits: RunLimits) -> float:
    """The most a normal solve spends after the solve proper: explaining or diagnosing."""
    explain_limit = limits.explain_options.time_limit_s if limits.explain else None
    return max(time_limit_s, explain_limit or 0.0)


def deadline_s(scenario: Scenario, limits: RunLimits) -> float:
    """Seconds after the start at which a guarded solve is stopped."""
    return deadline_for(effective_time_limit(scenario, limits), limits)


def deadline_for(time_limit_s: float, limits: RunLimits) -> float:
    """The same, for an effective (already capped) time limit."""
    return time_limit_s + after_solve_s(time_limit_s, limits) + grace_s(time_limit_s, limits)


def overrun_message(time_limit_s: float, limits: RunLimits) -> str:
    extra = after_solve_s(time_limit_s, limits) + grace_s(time_limit_s, limits)
    return (
        f"the solver did not stop within the time limit of {time_limit_s:g} s "
        f"(+ {extra:g} s for explaining and grace); it was stopped"
    )


# What a solve that hit its process's memory limit (ONDERBOUWD_SOLVE_MEMORY_LIMIT_MB) answers.
OUT_OF_MEMORY = "the solve ran out of memory: the scenario needs more than a solve may take here"
INTERNAL_ERROR = "the solve failed because of an internal error"

def solve_guarded(
    scenario: Scenario, limits: RunLimits | None = None, *, _target: Target = solve
) -> Recommendation:
    """`solve`, in a child process killed at its deadline (`RunLimits.in_child_process`).

    `_target` is what the child runs (`solve`); it must be a module-level function.
    """
    limits = limits or RunLimits()
    if not should_guard(limits):
        return _target(scenario, limits)
    try:
        return _Guarded(scenario, limits, _target).run()
    except _NotStarted as error:
        log.warning("could not start a solver process (%s); solving in this process", error)
        return _target(scenario, limits)


class _NotStarted(Exception):
    pass


class _Guarded:
    def __init__(self, scenario: Scenario, limits: RunLimits, target: Target) -> None:
        self.scenario = scenario
        self.limits = limits
        self.target = target
        self.limit = effective_time_limit(scenario, limits)
        self.grace = grace_s(self.limit, limits)
        self.context = _start_context()
        self.cancel: ProcessEvent = self.context.Event()

    def run(self) -> Recommendation:
        started = time.monotonic()
        deadline = started + deadline_s(self.scenario, self.limits)
        receiver, sender = self.context.Pipe(duplex=False)
        child_limits = dataclasses.replace(self.limits, cancel=None, on_plan=None)
        streams = self.limits.on_plan is not None
        level = logging.getLogger().getEffectiveLevel()
        process: BaseProcess = self.context.Process(  # type: ignore[attr-defined]
            target=_child,
            args=(self.target, self.scenario, child_limits, self.cancel, sender, streams, level),
            name="onderbouwd-solve",
            daemon=True,
        )
        try:
            try:
                process.start()
            except Exception as error:
                raise _NotStarted(f"{type(error).__name__}: {error}") from error
            finally:
                sender.close()
            cancelled_at: float | None = None
            while True:
                message = _receive(receiver)
                if message is not None and message[0] == "log":
                    record = logging.makeLogRecord(message[1])
                    logging.getLogger(record.name).handle(record)
                    continue
                if message is not None and message[0] == "plan":
                    assert self.limits.on_plan is not None
                    self.limits.on_plan(Recommendation.model_validate(message[1]))
                    continue
                if message is not None:
                    process.join(5)  # it exits once it has sent its answer
                    return self._answer(message, started)
                if not process.is_alive():
                    message = _receive(receiver)  # a last look: it may have come just before
                    if message is not None and message[0] not in ("plan", "log"):
                        return self._answer(message, started)
                    return self._error(
                        "the solver process stopped without an answer "
                        f"(exit code {process.exitcode})",
                        started,
                    )
                now = time.monotonic()
                if cancelled_at is None and self.limits.cancel is not None:
                    if self.limits.cancel.is_set():
                        self.cancel.set()
                        cancelled_at = now
                        deadline = min(deadline, now + self.grace)
                if now >= deadline:
                    end_process(process)
                    return self._error(self._overrun_message(cancelled_at), started)
        finally:
            end_process(process)
            receiver.close()

    def _answer(self, message: tuple[str, Any], started: float) -> Recommendation:
        kind, payload = message
        if kind == "done":
            return Recommendation.model_validate(payload)
        return self._error(str(payload), started)

    def _overrun_message(self, cancelled_at: float | None) -> str:
        if cancelled_at is not None:
            return (
                f"the solve was cancelled but did not stop within {self.grace:g} s; it was stopped"
            )
        return overrun_message(self.limit, self.limits)

    def _error(self, message: str, started: float) -> Recommendation:
        report = solver_report(self.scenario, self.limit)
        report.timings = Timings(total_s=round(time.monotonic() - started, 4))
        return Recommendation(
            status="error",
            message=message,
            scenario_sha256=scenario_sha256(self.scenario),
            solver=report,
        )


def _context() -> BaseContext:
    """Forkserver where there is one (safe in a multi-threaded server), else spawn."""
    with _context_lock:
        if not _context_cache:
            context: BaseContext
            if "forkserver" in multiprocessing.get_all_start_methods():
                forkserver = multiprocessing.get_context("forkserver")
                forkserver.set_forkserver_preload(["app.optimizer.solve"])
                context = forkserver
            else:
                context = multiprocessing.get_context("spawn")
            _context_cache.append(context)
        return _context_cache[0]


def fork_children() -> None:
    """Start this process's solve children by a plain fork while it is one thread (the CLI):
    a copy is then safe and ready at once, where a fork server first imports the solver
    (DESIGN's example from the CLI: 1.5 s wall that way, 0.8 s forked). HiGHS runs one thread
    here (`highs_options`), so it leaves no hidden threads behind to copy."""
    _fork_when_one_thread.set()


def _start_context() -> BaseContext:
    if _fork_when_one_thread.is_set() and threading.active_count() == 1:
        if "fork" in multiprocessing.get_all_start_methods():
            return multiprocessing.get_context("fork")
    return _context()


class _ToParent:
    """The queue a `QueueHandler` writes to: the pipe to the parent, one thread at a time."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.lock = threading.Lock()

    def put_nowait(self, record: logging.LogRecord) -> None:
        with self.lock:
            self.connection.send(("log", record.__dict__))


def _log_to_parent(connection: Connection, level: int) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(logging.handlers.QueueHandler(_ToParent(connection)))  # type: ignore[arg-type]
    root.setLevel(level)


def _receive(connection: Connection) -> tuple[str, Any] | None:
    try:
        if connection.poll(POLL_S):
            message: tuple[str, Any] = connection.recv()
            return message
    except (EOFError, OSError):
        time.sleep(POLL_S)  # the child is gone; the caller sees it is no longer alive
    return None


# --- in the child ------------------------------------------------------------------------------


def _child(
    target: Target,
    scenario: Scenario,
    limits: RunLimits,
    cancel: ProcessEvent,
    connection: Connection,
    streams: bool = False,
    log_level: int = logging.WARNING,
) -> None:
    """Solve and send `("done", recommendation)` or `("failed", reason)`; with `streams`, the
    plan ahead of its explanation as `("plan", recommendation)` (see `RunLimits.on_plan`).
    Log lines from `log_level` up go to the parent as `("log", record)`, where its own
    handlers write them with its context (the request, the run): the stage records, say."""
    quiet_stdout()
    exit_with_parent()
    _log_to_parent(connection, log_level)
    local_cancel = threading.Event()

    def forward() -> None:
        cancel.wait()
        local_cancel.set()

    threading.Thread(target=forward, name="cancel-forward", daemon=True).start()

    def send_plan(plan: Recommendation) -> None:
        connection.send(("plan", plan.model_dump(mode="json")))

    try:
        recommendation = target(
            scenario,
            dataclasses.replace(
                limits, cancel=local_cancel, on_plan=send_plan if streams else None
            ),
        )
        message: tuple[str, Any] = ("done", recommendation.model_dump(mode="json"))
    except Exception as error:  # the details go to the log, under the id the answer gives
        error_id = f"err_{secrets.token_hex(8)}"
        log.exception("solve failed [error id %s]", error_id)
        reason = OUT_OF_MEMORY if isinstance(error, MemoryError) else INTERNAL_ERROR
        message = ("failed", f"{reason} (error id {error_id})")
    try:
        connection.send(message)
    finally:
        connection.close()
