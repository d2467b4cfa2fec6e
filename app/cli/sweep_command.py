"""`onderbouwd sweep SCENARIO_ID --from X --to Y --steps N [--explain] [--wait]`: a budget sweep
from the command line, started by the service behind `POST /api/v1/scenarios/{id}/sweeps` (the
same checks and organisation limits), its points solved wherever runs go (the Celery workers
with ONDERBOUWD_BROKER_URL, or the embedded runner of a `serve` or `worker` process on the same
database). The points are plan-only unless --explain is given. With --wait a progress bar
counts the points done, then the frontier is printed.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from app.cli.choices import SweepScale

if TYPE_CHECKING:
    from app.core.db import Database
    from app.schemas.workshop import SweepCreate, SweepOut

POLL_S = 0.25
# The API's field names, as the options that set them.
OPTIONS = {"from": "--from", "to": "--to", "steps": "--steps", "values": "--values",
           "scale": "--scale", "version": "--version", "explain": "--explain"}


def _budgets(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma-separated list of numbers",
                                 param_hint="--values") from None


def sweep(
    scenario_id: Annotated[uuid.UUID, typer.Argument(help="Id of a stored scenario.")],
    start: Annotated[
        float | None, typer.Option("--from", help="Lowest corporation budget (euros).")
    ] = None,
    to: Annotated[float | None, typer.Option(help="Highest corporation budget (euros).")] = None,
    steps: Annotated[
        int | None, typer.Option(help="Points from --from to --to, both ends included.")
    ] = None,
    values: Annotated[
        str | None, typer.Option(help="The budgets, comma-separated (instead of a range).")
    ] = None,
    scale: Annotated[
        SweepScale, typer.Option(help="proportional: budget.per_year scales with the total; "
                                      "total_only: only budget.total changes.")
    ] = SweepScale.proportional,
    version: Annotated[
        int | None, typer.Option(help="Version to sweep (default: the current one).")
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Explain each point's plan as an ordinary run is "
                                             "(without it the points are plan-only, and quicker).")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the points with a progress bar, then print "
                                          "the frontier.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="Stop waiting after this many seconds (the sweep goes on).")
    ] = 3600.0,
) -> None:
    """Start a budget sweep of a stored scenario and print its id; with --wait, follow it and
    print the frontier (budget, state, status, objective, gap per point).

    Exit status: 0 the sweep is started (or, with --wait, every point is done), 1 a point
    failed or was cancelled, 2 bad options, no such scenario or version, or refused (the
    organisation's limits, a scenario invalid at a budget), 3 still going at --timeout.
    """
    from app.core.config import get_settings
    from app.core.db import Database
    from app.core.errors import OnderbouwdError
    from app.jobs.backend import job_backend
    from app.schemas.scenario import ScenarioInvalid
    from app.services.planning.run_watch import start_sweep_on

    console = Console(stderr=True)
    body = _body(console, start, to, steps, _budgets(values), scale, version, explain)
    settings = get_settings()
    database = Database(settings.database_url)
    jobs = job_backend(database, settings) if settings.broker_url else None
    if jobs is not None:
        jobs.start()  # sends the points' tasks to the broker when they are committed
    try:
        try:
            with database.transaction() as session:
                sweep_id = start_sweep_on(session, scenario_id, body, settings)
        except OnderbouwdError as error:
            console.print(f"[red]{error.detail}[/red]", highlight=False)
            raise typer.Exit(2) from None
        except ScenarioInvalid as invalid:
            for field in invalid.errors:
                console.print(f"[red]{field['path']}: {field['message']}[/red]",
                              highlight=False)
            raise typer.Exit(2) from None
        typer.echo(str(sweep_id))
        if not wait:
            return
        code = _follow(database, sweep_id, timeout, console)
    finally:
        if jobs is not None:
            jobs.stop()
        database.dispose()
    if code:
        raise typer.Exit(code)


def _body(console: Console, start: float | None, to: float | None, steps: int | None,
          values: list[float] | None, scale: SweepScale, version: int | None,
          explain: bool = False) -> SweepCreate:
    """The API's request body; a bad one is exit 2 naming each option, as the API's 422
    names each field."""
    from pydantic import ValidationError

    from app.schemas.workshop import SweepCreate

    budget: dict[str, Any] = {}
    for name, value in (("from", start), ("to", to), ("steps", steps), ("values", values)):
        if value is not None:
            budget[name] = value
    raw: dict[str, Any] = {"budget": budget, "scale": scale.value, "explain": explain}
    if version is not None:
        raw["version"] = version
    try:
        return SweepCreate.model_validate(raw)
    except ValidationError as invalid:
        for error in invalid.errors():
            names = [str(part) for part in error["loc"] if str(part) in OPTIONS]
            where = names[-1] if names else "budget"
            option = OPTIONS.get(where, where)
            message = str(error["msg"]).removeprefix("Value error, ")
            console.print(f"[red]{option}: {message}[/red]", highlight=False)
        raise typer.Exit(2) from None


def _follow(database: Database, sweep_id: uuid.UUID, timeout_s: float, console: Console
            ) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from app.services.planning.run_watch import sweep_now

    deadline = time.monotonic() + timeout_s
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        task = progress.add_task("points solved", total=None)
        while True:
            with database.read_transaction() as session:
                now = sweep_now(session, sweep_id)
            progress.update(task, total=now.points_total, completed=now.points_done)
            if now.state != "running":
                break
            if time.monotonic() >= deadline:
                console.print(f"still running after {timeout_s:g} s "
                              f"({now.points_done} of {now.points_total} points); the sweep "
                              "goes on")
                return 3
            time.sleep(POLL_S)
    typer.echo(frontier_text(now))
    unsolved = [p for p in now.points if p.state != "done"]
    if now.state == "cancelled" or unsolved:
        console.print(f"sweep {sweep_id}: {now.state}; {len(unsolved)} of {now.points_total} "
                      "points not done", highlight=False)
        return 1
    console.print(f"sweep {sweep_id}: done, {now.points_total} points", highlight=False)
    return 0


def frontier_text(sweep: SweepOut) -> str:
    """One line per point in budget order: budget, state, status, objective, gap."""
    header = f"{'budget':>16}  {'state':<9}  {'status':<10}  {'objective':>14}  {'gap':>8}"
    lines = [header]
    for point in sweep.points:
        objective = "-" if point.objective is None else f"{point.objective:,.2f}"
        gap = "-" if point.gap is None else f"{point.gap:.2%}"
        lines.append(f"{point.budget:>16,.2f}  {point.state:<9}  {point.status or '-':<10}  "
                     f"{objective:>14}  {gap:>8}")
    return "\n".join(lines)
