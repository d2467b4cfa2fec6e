"""`onderbouwd db upgrade`: migrate the database to the latest schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from app.core.config import Settings

app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
# (the database layer is imported by each command: `onderbouwd --help` starts without it)


@app.command("upgrade")
def upgrade_command() -> None:
    """Migrate the database (`ONDERBOUWD_DATABASE_URL`) to the latest schema."""
    from app.core.db import Database
    from app.core.migrations import current_revisions, upgrade

    database = Database(_settings().database_url)
    try:
        before = current_revisions(database.engine)
        upgrade(database.engine)
        after = current_revisions(database.engine)
    finally:
        database.dispose()
    console = Console(stderr=True)
    where = database.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"{where}: already at the latest schema ({', '.join(sorted(after))})")
    else:
        console.print(f"{where}: migrated to {', '.join(sorted(after))}")


@app.command("current")
def current_command() -> None:
    """Print the database's schema revision and whether it is the latest."""
    from app.core.db import Database
    from app.core.migrations import current_revisions, head_revisions

    database = Database(_settings().database_url)
    try:
        current = current_revisions(database.engine)
    finally:
        database.dispose()
    latest = current == head_revisions()
    typer.echo(
        f"{', '.join(sorted(current)) or 'no schema'}"
        f"{' (latest)' if latest else ' (not the latest: run `onderbouwd db upgrade`)'}"
    )
    if not latest:
        raise typer.Exit(1)


def _settings() -> Settings:
    from app.core.config import get_settings

    return get_settings()
