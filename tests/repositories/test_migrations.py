"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app.core.db import Database
from app.core.migrations import SCRIPT_LOCATION, alembic_config, is_current, upgrade
from app.models import Base
from tests.databases import postgres_database


def test_autogenerate_finds_nothing(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_database_is_at_the_latest_revision(database: Database) -> None:
    assert is_current(database.engine)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_down_to_nothing_and_up_again(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        _round_trip(Database(f"sqlite:///{tmp_path / 'round-trip.db'}"))
    else:
        with postgres_database() as url:
            _round_trip(Database(url))


def _round_trip(database: Database) -> None:
    try:
        upgrade(database.engine)
        command.downgrade(alembic_config(database.engine), "base")
        assert inspect(database.engine).get_table_names() == ["alembic_version"]
        upgrade(database.engine)
        assert set(inspect(database.engine).get_table_names()) == {
            "alembic_version", *Base.metadata.tables}
    finally:
        database.dispose()


def test_file_names_sort_in_revision_order() -> None:
    files = sorted(path.name for path in (SCRIPT_LOCATION / "versions").glob("*.py"))
    assert files
    assert all(re.match(r"^\d{8}_\d{4}_[0-9a-f]{12}_\w+\.py$", name) for name in files), files
    script = ScriptDirectory.from_config(alembic_config())
    chain = [revision.revision for revision in reversed(list(script.walk_revisions()))]
    assert [name.split("_")[2] for name in files] == chain
