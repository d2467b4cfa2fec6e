"""The `onderbouwd` command line: solve a scenario file, serve the API, export the OpenAPI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.cli import db, keys
from app.cli.solve_command import SolverName, run_solve
from app.core.config import Settings, get_settings
from app.core.db import Database

app = typer.Typer(
    name="onderbouwd",
    help="Onderbouwd: provably optimal, explained plans for neighbourhood liveability.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(keys.app, name="keys")


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
) -> None:
    """Solve a scenario file and print the recommendation.

    Exit status: 0 a plan was found, 1 no plan (infeasible, or the solver failed), 2 the file
    is missing, not JSON or not a valid scenario (each offending field is named).
    """
    code = run_solve(
        file,
        as_json=as_json,
        solver=solver,
        time_limit=time_limit,
        mip_gap=mip_gap,
        settings=get_settings(),
        explain=not no_explain,
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

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    console = Console()
    demo_key = prepare_environment(settings, console)
    base = f"http://{host}:{port}"
    console.print(f"Onderbouwd API on [bold]{base}[/bold]")
    console.print(f"Interactive documentation on [bold]{base}/docs[/bold]")
    if demo_key is not None:
        console.print(
            f"Demo planner key ({settings.demo_organisation}), valid until the next "
            f"start:\n  [bold]export KEY={demo_key}[/bold]"
        )
    uvicorn.run("app.main:app", host=host, port=port)


def prepare_environment(settings: Settings, console: Console) -> str | None:
    """Migrate the database to the latest schema; with `ONDERBOUWD_DEMO` (the default), load
    the demo organisation when it is missing and return a fresh demo planner key (the key
    printed by the previous start is revoked)."""
    from app.core.migrations import upgrade
    from app.services.demo import DEMO_KEY_NAME, ensure_demo, fresh_demo_key

    database = Database(settings.database_url)
    try:
        upgrade(database.engine)
        if not settings.demo:
            return None
        with database.transaction() as session:
            loaded = ensure_demo(session, settings.demo_organisation)
            key = fresh_demo_key(session, settings.demo_organisation, DEMO_KEY_NAME)
    finally:
        database.dispose()
    if loaded is not None:
        console.print(f"Loaded the demo organisation {settings.demo_organisation!r}: {loaded}")
    return key


@app.command()
def demo() -> None:
    """Load the demo organisation (Utrecht's buurten, real CBS and Leefbaarometer data) and
    print a new planner key for it."""
    from app.core.migrations import upgrade
    from app.services.demo import ensure_demo, fresh_demo_key

    settings = get_settings()
    database = Database(settings.database_url)
    console = Console(stderr=True)
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
    """Run a job runner without the API: solves queued runs from the database until stopped
    (Ctrl-C). Any number may run beside the API on one database; a run is solved once."""
    import signal
    import threading

    from app.jobs.runner import EmbeddedRunner

    settings = get_settings()
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


if __name__ == "__main__":
    app()
