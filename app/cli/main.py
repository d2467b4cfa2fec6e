"""The `onderbouwd` command line: solve a scenario file, serve the API, export the OpenAPI.

Heavy modules (the web framework, the database layer, the solvers, spreadsheets) are imported
inside the commands that use them, so that the command line starts fast
(`tests/cli/test_cli_startup.py`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from app.cli import db, keys, open_data, run_command, sweep_command
from app.cli.choices import ExplainChoice, SolverName

if TYPE_CHECKING:
    from app.core.config import Settings

# Each command imports what it needs when it runs (the optimizer, the database layer, the web
# framework), so that `onderbouwd --help` starts in a fraction of a second.

app = typer.Typer(
    name="onderbouwd",
    help="Onderbouwd: provably optimal, explained plans for neighbourhood liveability.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help: the rich help formatter alone took 0.15 s of a 0.3 s start.
    rich_markup_mode=None,
)
app.add_typer(db.app, name="db")
app.add_typer(keys.app, name="keys")
app.add_typer(open_data.app, name="import")
app.command(name="run")(run_command.run)
app.command(name="sweep")(sweep_command.sweep)


@app.command()
def solve(
    file: Annotated[Path, typer.Argument(help="Scenario document (JSON, contract v1).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the recommendation as JSON, nothing else.")
    ] = False,
    solver: Annotated[
        SolverName | None, typer.Option("--solver", help="Override solver.name.")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Override solver.time_limit_s (s).")
    ] = None,
    mip_gap: Annotated[
        float | None, typer.Option("--mip-gap", help="Override solver.mip_gap (0 = proven).")
    ] = None,
    no_explain: Annotated[
        bool, typer.Option("--no-explain", help="The plan only: skip the explanation.")
    ] = False,
    explain: Annotated[
        ExplainChoice,
        typer.Option(
            "--explain",
            help="standard: within about a quarter of the solve's time, costs of forcing "
            "estimated; full: every pair's cost of forcing re-solved exactly (slower).",
        ),
    ] = ExplainChoice.standard,
) -> None:
    """Solve a scenario file and print the recommendation.

    Exit status: 0 a plan was found, 1 no plan (infeasible, or the solver failed), 2 the file
    is missing, not JSON or not a valid scenario (each offending field is named).
    """
    from app.cli.solve_command import run_solve

    code = run_solve(
        file,
        as_json=as_json,
        solver=solver,
        time_limit=time_limit,
        mip_gap=mip_gap,
        settings=_settings(),
        explain=not no_explain,
        explain_level=explain.value,
    )
    if code:
        raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run the API server (and the embedded job runner): migrate the database first and, on
    the embedded default, load the demo organisation and print a demo planner key."""
    import uvicorn

    from app.core.logging import configure_logging

    settings = _settings()
    configure_logging(settings.env)
    host = host or settings.host
    port = port or settings.port
    console = Console()
    # The demo key goes to the terminal that started the server, never into a log: where the
    # output is not a terminal (a service manager, a container's log) none is made.
    demo_key = prepare_environment(settings, console, make_key=console.is_terminal)
    base = f"http://{host}:{port}"
    console.print(f"Onderbouwd API on [bold]{base}[/bold]")
    console.print(f"Interactive documentation on [bold]{base}/docs[/bold]")
    if demo_key is not None:
        console.print(
            f"Demo planner key ({settings.demo_organisation}), valid until the next "
            f"start:\n  [bold]export KEY={demo_key}[/bold]"
        )
    elif settings.demo:
        console.print("The demo organisation is loaded; its key is printed only on a terminal "
                      "(`onderbouwd demo` makes one).")
    uvicorn.run("app.main:app", host=host, port=port, log_config=None, access_log=False)


def prepare_environment(settings: Settings, console: Console,
                        make_key: bool = True) -> str | None:
    """Migrate the database to the latest schema; with `ONDERBOUWD_DEMO` (the default; never
    in production), load the demo organisation when it is missing and, with `make_key`,
    return a fresh demo planner key (the key printed by the previous start is revoked)."""
    from app.core.db import Database
    from app.core.migrations import upgrade
    from app.services.catalogue.demo import DEMO_KEY_NAME, ensure_demo, fresh_demo_key

    database = Database(settings.database_url)
    try:
        upgrade(database.engine)
        if not settings.demo:
            return None
        with database.transaction() as session:
            loaded = ensure_demo(session, settings.demo_organisation)
            key = (fresh_demo_key(session, settings.demo_organisation, DEMO_KEY_NAME)
                   if make_key else None)
    finally:
        database.dispose()
    if loaded is not None:
        console.print(f"Loaded the demo organisation {settings.demo_organisation!r}: {loaded}")
    return key


@app.command()
def demo() -> None:
    """Load the demo organisation (Utrecht's buurten, real CBS and Leefbaarometer data) and
    print a new planner key for it."""
    from app.core.db import Database
    from app.core.migrations import upgrade
    from app.services.catalogue.demo import ensure_demo, fresh_demo_key

    settings = _settings()
    console = Console(stderr=True)
    if settings.production:
        console.print("The demo is off in production (ONDERBOUWD_ENV=production); make keys "
                      "with `onderbouwd keys`.")
        raise typer.Exit(2)
    database = Database(settings.database_url)
    try:
        upgrade(database.engine)
        with database.transaction() as session:
            loaded = ensure_demo(session, settings.demo_organisation)
            key = fresh_demo_key(session, settings.demo_organisation, "demo (command line)")
    finally:
        database.dispose()
    console.print(
        f"{settings.demo_organisation}: {loaded or 'already loaded'}; planner key (shown once):"
    )
    typer.echo(key)


@app.command()
def worker() -> None:
    """Solve queued runs until stopped (Ctrl-C). With ONDERBOUWD_BROKER_URL: a Celery worker
    taking run tasks from the broker, as many solves at once as the machine has cores
    (ONDERBOUWD_WORKER_CONCURRENCY), each in a process of its own. Without: a job runner on the
    database beside the API. Any number may run on one database; a run is solved once."""
    from app.core.logging import configure_logging

    settings = _settings()
    configure_logging(settings.env)
    if settings.broker_url:
        from app.jobs.celery_worker import run_worker

        run_worker(settings)
        return
    _embedded_worker(settings)


def _embedded_worker(settings: Settings) -> None:
    import signal
    import threading

    from app.core.db import Database
    from app.jobs.runner import EmbeddedRunner

    database = Database(settings.database_url)
    runner = EmbeddedRunner(database, settings)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runner.start()
    Console(stderr=True).print(
        f"runner {runner.owner}: {settings.runner_workers} workers on "
        f"{database.url.render_as_string(hide_password=True)}"
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        runner.stop()
        database.dispose()


@app.command()
def openapi() -> None:
    """Print the API's OpenAPI document (JSON) to stdout."""
    from app.api.openapi import openapi_json
    from app.main import create_app

    sys.stdout.write(openapi_json(create_app()))


def _settings() -> Settings:
    from app.core.config import get_settings

    return get_settings()


if __name__ == "__main__":
    app()
