"""`onderbouwd run SCENARIO_ID [--wait]`: queue a run and follow it with a progress bar.

The run goes where every run goes: to the Celery workers (ONDERBOUWD_BROKER_URL) or to the
embedded runner of a `serve` or `worker` process on the same database. The bar follows its
stages — queued, solving (against its time limit), finished — by reading the run's row.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from app.core.config import Settings
    from app.core.db import Database
    from app.services.planning.run_watch import RunProgress

POLL_S = 0.25


def run(
    scenario_id: Annotated[uuid.UUID, typer.Argument(help="Id of a stored scenario.")],
    version: Annotated[
        int | None, typer.Option(help="Version to solve (default: the current one).")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the run with a progress bar until it ends.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="Stop waiting after this many seconds (the run goes on).")
    ] = 3600.0,
) -> None:
    """Start a run of a stored scenario; with --wait, show its progress until it ends.

    Exit status: 0 the run is queued (or, with --wait, done with a plan), 1 it failed, was
    cancelled or has no plan, 2 no such scenario or version, 3 still going at --timeout.
    """
    from app.core.config import get_settings
    from app.core.db import Database
    from app.core.errors import OnderbouwdError
    from app.jobs.backend import job_backend
    from app.services.planning.run_watch import start_run_on

    settings = get_settings()
    database = Database(settings.database_url)
    console = Console(stderr=True)
    jobs = job_backend(database, settings) if settings.broker_url else None
    if jobs is not None:
        jobs.start()  # sends the run's task to the broker when it is committed
    try:
        try:
            with database.transaction() as session:
                run_id = start_run_on(session, scenario_id, version, settings)
        except OnderbouwdError as error:
            console.print(f"[red]{error.detail}[/red]")
            raise typer.Exit(2) from None
        typer.echo(str(run_id))
        if not wait:
            return
        code = _follow(database, settings, run_id, timeout, console)
    finally:
        if jobs is not None:
            jobs.stop()
        database.dispose()
    if code:
        raise typer.Exit(code)


def _follow(database: Database, settings: Settings, run_id: uuid.UUID, timeout_s: float,
            console: Console) -> int:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from app.services.planning.run_watch import run_progress

    deadline = time.monotonic() + timeout_s
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("queued", total=1.0)
        while True:
            with database.read_transaction() as session:
                now = run_progress(session, run_id, settings)
            _show(progress, task, now)
            if now.finished:
                break
            if time.monotonic() >= deadline:
                console.print(f"still {now.state} after {timeout_s:g} s; the run goes on")
                return 3
            time.sleep(POLL_S)
    if now.state == "done":
        objective = "none" if now.objective is None else f"{now.objective:,.2f}"
        console.print(f"run {run_id}: done, {now.status}, objective {objective} "
                      f"(attempts {now.attempts})")
        return 0 if now.status in ("optimal", "feasible") else 1
    console.print(f"run {run_id}: {now.state}" + (f": {now.error}" if now.error else ""))
    return 1


def _show(progress: Progress, task: TaskID, now: RunProgress) -> None:
    if now.finished:
        progress.update(task, completed=1.0, description=f"{now.state} ({now.status or '-'})")
    elif now.state == "running":
        share = min(0.95, now.seconds_running / max(now.time_limit_s, 1e-9))
        attempt = f", attempt {now.attempts}" if now.attempts > 1 else ""
        progress.update(task, completed=share,
                        description=f"solving (limit {now.time_limit_s:g} s{attempt})")
    else:
        progress.update(task, completed=0.0, description="queued")
