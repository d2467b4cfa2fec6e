"""Starting a run's solver process and knowing when to stop it: shared by the embedded runner
and the Celery task."""

from __future__ import annotations

import ast
import logging
import multiprocessing
import sys
import uuid
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from app.core.config import Settings
from app.optimizer import RunLimits
from app.optimizer.guard import deadline_for
from app.repositories.runs import RunQueue
from app.schemas.scenario import SolverSettings

log = logging.getLogger("onderbouwd.runner")


def solver_context() -> BaseContext:
    """A forkserver (a clean, small parent for each solve) where the platform has one."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["__main__", *_main_imports(), "app.jobs.preload"])
        return context
    return multiprocessing.get_context("spawn")


def _main_imports() -> list[str]:
    """The modules the parent's main module imports at its top. Multiprocessing runs that
    module again in every child it starts but by fork, and Python 3.11's forkserver never
    preloads it (it asks for `main_path`; the preparation data says `init_main_from_path`):
    loaded once in the forkserver, its imports are already in each solver process. Without
    this, a child of `onderbouwd serve` or `worker` imported the command line before its solve,
    and one of a script that also imported the database layer spent 0.4 s of processor time
    on it (0.006 s with it; the 2-core machine)."""
    main = sys.modules.get("__main__")
    names: set[str] = set()
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name and not spec.name.endswith("__main__"):
        names.add(spec.name)  # run with -m: the module itself is run again
    path = getattr(main, "__file__", None)
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8")) if path else None
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        tree = None
    for node in tree.body if tree is not None else []:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return sorted(names - {"__future__", "__main__"})


def time_limit(document: Any, settings: Settings) -> float:
    """The run's time limit as the solve will have it (an invalid one fails in the process)."""
    solver = document.get("solver") if isinstance(document, dict) else None
    try:
        limit = SolverSettings.model_validate(solver or {}).time_limit_s
    except ValueError:
        limit = SolverSettings().time_limit_s
    return min(limit, settings.max_time_limit_s)


def deadline_s(time_limit_s: float, explain: bool = True) -> float:
    """Seconds after its start at which a run's process is stopped (the worker explains,
    unless the run is plan-only)."""
    return deadline_for(time_limit_s, RunLimits(explain=explain))


def warm_up(context: BaseContext) -> None:
    """Start the forkserver before the first claim, so that starting a solver process never
    takes long enough to let a fresh lease lapse."""
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        try:
            forkserver.ensure_running()
        except Exception:  # the first solve will start it, or say why it cannot
            log.exception("could not start the forkserver")


def receive(connection: Connection, timeout_s: float = 0.0) -> tuple[str, Any] | None:
    """The process's answer if it comes within `timeout_s`; None when it has not (yet)."""
    try:
        if connection.poll(timeout_s):
            message: tuple[str, Any] = connection.recv()
            return message
    except (EOFError, OSError):
        pass
    return None


def record_outcome(
    queue: RunQueue,
    run_id: uuid.UUID,
    owner: str,
    message: tuple[str, Any] | None,
    *,
    attempts: int,
    exit_code: int | None,
    settings: Settings,
) -> str:
    """Write what a run's solver process ended with, while `owner` still holds the run: its
    final state (`done`, `failed`), or `queued` again when the process died without an answer
    and attempts remain; `lost` when the run was no longer this owner's to write."""
    if message is not None:
        kind, payload = message
        if kind == "done":
            written = queue.finish(run_id, owner, "done", result_status=payload["status"],
                                   recommendation=payload)
            state = "done"
        else:
            written = queue.finish(run_id, owner, "failed", error=payload)
            state = "failed"
    elif attempts >= settings.runner_max_attempts:
        reason = (
            f"the solver process stopped without an answer (exit code {exit_code}) on each of "
            f"{attempts} attempts; a solve that needs more than the memory limit of "
            f"{settings.solve_memory_limit_mb} MiB per solve ends this way too"
        )
        written = queue.finish(run_id, owner, "failed", error=reason)
        state = "failed"
    else:
        log.warning("run %s: solver process stopped (exit code %s); queued again", run_id,
                    exit_code)
        written = queue.release(run_id, owner, count_attempt=True)
        state = "queued"
    return state if written else "lost"
