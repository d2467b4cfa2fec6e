"""The `onderbouwd` command line: solve a scenario file, serve the API, export the OpenAPI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.cli.solve_command import SolverName, run_solve
from app.core.config import get_settings

app = typer.Typer(
    name="onderbouwd",
    help="Onderbouwd: provably optimal, explained plans for neighbourhood liveability.",
    no_args_is_help=True,
    add_completion=False,
)


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
) -> None:
    """Solve a scenario file and print the recommendation.

    Exit status: 0 a plan was found, 1 no plan (infeasible, or the solver failed), 2 the file
    is missing, not JSON or not a valid scenario (each offending field is named).
    """
    code = run_solve(file, as_json=as_json, solver=solver, time_limit=time_limit,
                     mip_gap=mip_gap, settings=get_settings())
    if code:
        raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run the API server."""
    import uvicorn

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    prepare_environment()
    base = f"http://{host}:{port}"
    console = Console()
    console.print(f"Onderbouwd API on [bold]{base}[/bold]")
    console.print(f"Interactive documentation on [bold]{base}/docs[/bold]")
    uvicorn.run("app.main:app", host=host, port=port)


def prepare_environment() -> None:
    """Bring the installation up to date before serving.

    This is where the database is migrated to the latest schema and the demo organisation is
    loaded on a fresh installation; until the database exists there is nothing to prepare.
    """


@app.command()
def openapi() -> None:
    """Print the API's OpenAPI document (JSON) to stdout."""
    from app.api.openapi import openapi_json
    from app.main import create_app

    sys.stdout.write(openapi_json(create_app()))


if __name__ == "__main__":
    app()
