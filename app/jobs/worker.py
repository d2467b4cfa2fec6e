"""What runs inside a solver process: one stored snapshot in, one message out.

The process is the runner's child (or a Celery worker's); it touches no database. It exits on
its own when the runner that started it is gone, so a stopped server leaves no solves behind.
Its address space is capped (`ONDERBOUWD_SOLVE_MEMORY_LIMIT_MB`), so a solve too large for the
machine fails this run with a message saying so instead of taking the worker down.

A failure the client did not cause is reported as a stable message and an error id; the
exception and its traceback go to the log under that id (never paths or SQL into the run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from app.core.config import Settings
from app.core.error_ids import log_failure, new_error_id
from app.core.errors import OnderbouwdError
from app.optimizer import guard
from app.optimizer.backends.child_process import exit_with_parent, limit_memory, quiet_stdout
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import ScenarioInvalid, parse_scenario
from app.services.planning.solving import solve_inline

log = logging.getLogger("onderbouwd.worker")

OUT_OF_MEMORY = (
    "the solve ran out of memory: it needs more than this server's limit of {limit} MiB per "
    "solve (ONDERBOUWD_SOLVE_MEMORY_LIMIT_MB); make the scenario smaller or raise the limit "
    "(error id {error_id})"
)
FAILED = "the solve failed because of an internal error (error id {error_id})"


PlanSender = Callable[[dict[str, Any]], None]
StartPlan = tuple[tuple[str, str, int], ...]


def solve_document(
    document: dict[str, Any],
    settings: Settings,
    start_plan: StartPlan = (),
    on_plan: PlanSender | None = None,
    explain: bool = True,
) -> tuple[str, Any]:
    """Solve one stored document: `("done", recommendation)` or `("failed", reason)`; the
    reason is safe to show to the organisation. `start_plan` (intervention, neighbourhood,
    start year) seeds the search; `on_plan` gets the plan (as JSON) before the explanation is
    made, and the answer then adds the explanation to it. `explain=False` solves the plan only:
    the answer is the plan, and `on_plan` is not called (nothing follows the plan)."""

    def send_plan(plan: Recommendation) -> None:
        if on_plan is not None:
            on_plan(plan.model_dump(mode="json"))

    try:
        recommendation = solve_inline(
            parse_scenario(document),
            settings,
            explain=explain,
            start_plan=start_plan,
            on_plan=None if on_plan is None or not explain else send_plan,
        )
        if recommendation.status == "error" and recommendation.message.startswith(
            guard.OUT_OF_MEMORY
        ):  # the solve's own process hit the limit (a large solve runs in one of its own)
            limit = settings.solve_memory_limit_mb
            return "failed", f"{recommendation.message}; the limit is {limit} MiB per solve"
        return "done", recommendation.model_dump(mode="json")
    except ScenarioInvalid as invalid:
        return "failed", f"the stored scenario is not valid: {invalid}"
    except OnderbouwdError as error:  # e.g. the problem is over the size limit
        return "failed", error.detail
    except MemoryError as error:
        error_id = new_error_id()
        log_failure(log, error_id, "solve ran out of memory", error)
        return "failed", OUT_OF_MEMORY.format(
            limit=settings.solve_memory_limit_mb, error_id=error_id
        )
    except Exception as error:
        error_id = new_error_id()
        log_failure(log, error_id, "solve failed", error)
        return "failed", FAILED.format(error_id=error_id)


def solve_snapshot(
    document: dict[str, Any],
    settings: Settings,
    connection: Connection,
    start_plan: StartPlan = (),
    explain: bool = True,
) -> None:
    """Send `("plan", recommendation)` as soon as the plan is known (not for every answer: an
    infeasible one has none), then `("done", recommendation)` with the explanation, or
    `("failed", reason)`, and exit. With `explain=False` only the last: the plan is the
    answer."""
    quiet_stdout()
    exit_with_parent()
    limit_memory(settings.solve_memory_limit_mb)
    message = solve_document(
        document, settings, start_plan, lambda plan: connection.send(("plan", plan)), explain
    )
    try:
        connection.send(message)
    finally:
        connection.close()
