"""What runs inside a solver process: one stored snapshot in, one message out.

The process is the runner's child; it touches no database. It exits on its own when the runner
that started it is gone, so a stopped server leaves no solves behind.
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from typing import Any

from app.core.config import Settings
from app.optimizer.backends.child_process import exit_with_parent, quiet_stdout
from app.schemas.scenario import ScenarioInvalid, parse_scenario
from app.services.solving import solve_inline


def solve_snapshot(document: dict[str, Any], settings: Settings, connection: Connection) -> None:
    """Send `("done", recommendation)` or `("failed", reason)` and exit."""
    quiet_stdout()
    exit_with_parent()
    try:
        recommendation = solve_inline(parse_scenario(document), settings)
        message: tuple[str, Any] = ("done", recommendation.model_dump(mode="json"))
    except ScenarioInvalid as invalid:
        message = ("failed", f"the stored scenario is not valid: {invalid}")
    except Exception as error:  # reported on the run; the runner's log has the rest
        message = ("failed", f"the solve failed: {type(error).__name__}: {error}")
    try:
        connection.send(message)
    finally:
        connection.close()
