"""`onderbouwd keys create|list|revoke`: API keys, from the machine the service runs on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from app.core.errors import NotFound
from app.core.security import Principal, Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.core.config import Settings

# The database layer is imported by the commands that use it, so that `onderbouwd --help` and
# `onderbouwd solve` start without it.

app = typer.Typer(help="API keys of an organisation.", no_args_is_help=True)

OrgOption = Annotated[str, typer.Option("--org", help="Name of the organisation.")]


@app.command("create")
def create(
    org: OrgOption,
    role: Annotated[Role, typer.Option(help="viewer, planner or admin.")] = Role.planner,
    name: Annotated[str, typer.Option(help="What the key is for.")] = "created on the command line",
) -> None:
    """Create a key (and the organisation, when it is new); print the key, which is shown once."""
    from app.core.db import Database
    from app.services.access import keys

    database = Database(_settings().database_url)
    try:
        with database.transaction() as session:
            organisation, created = keys.ensure_organisation(session, org)
            new = keys.create_key(session, keys.cli_principal(organisation), name, role)
    finally:
        database.dispose()
    console = Console(stderr=True)
    if created:
        console.print(f"created organisation {org!r}")
    console.print(f"{role.value} key {new.prefix} for {org!r} (shown once, keep it safe):")
    typer.echo(new.key)


@app.command("list")
def list_keys(org: OrgOption) -> None:
    """List the organisation's keys (prefixes, never the keys)."""
    from app.core.db import Database
    from app.services.access import keys

    database = Database(_settings().database_url)
    try:
        with database.transaction() as session:
            rows = keys.list_keys(session, _principal(session, org))
    finally:
        database.dispose()
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        typer.echo(f"{row.prefix}  {row.role.value:<8} {state:<18} {row.name}")


@app.command("revoke")
def revoke(
    org: OrgOption, prefix: Annotated[str, typer.Argument(help="The key's prefix.")]
) -> None:
    """Revoke a key by its prefix."""
    from app.core.db import Database
    from app.services.access import keys

    database = Database(_settings().database_url)
    try:
        with database.transaction() as session:
            principal = _principal(session, org)
            match = [row for row in keys.list_keys(session, principal) if row.prefix == prefix]
            if not match:
                raise typer.BadParameter(f"{org!r} has no key {prefix}")
            keys.revoke_key(session, principal, match[0].id)
    finally:
        database.dispose()
    Console(stderr=True).print(f"revoked {prefix}")


def _principal(session: Session, org: str) -> Principal:
    from app.services.access import keys

    try:
        return keys.organisation_principal(session, org)
    except NotFound:
        raise typer.BadParameter(f"no organisation named {org!r}", param_hint="--org") from None


def _settings() -> Settings:
    from app.core.config import get_settings

    return get_settings()
