"""Alembic, driven from code: upgrade to the latest schema and tell whether a database is there."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

PACKAGE = Path(__file__).resolve().parents[1]
SCRIPT_LOCATION = PACKAGE / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """The project's Alembic configuration; with `engine`, migrations run on that engine.

    Built in code, not read from `alembic.ini`, so that an installed package migrates from any
    folder (the migrations ship inside it); `alembic.ini` serves the `alembic` command in a
    checkout."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def is_current(engine: Engine) -> bool:
    return current_revisions(engine) == head_revisions()
