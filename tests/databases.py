"""Test databases, built by Alembic: a SQLite file, or a schema of their own in PostgreSQL.

PostgreSQL is looked for at `ONDERBOUWD_TEST_POSTGRES_URL` (default: 127.0.0.1:5432, user
postgres, database test); each test process works in a schema of its own there. When it does
not answer, its tests are skipped with the reason, except under `CI=true`, where that fails the
run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.core.db import Database
from app.core.migrations import upgrade
from app.models import Base

POSTGRES_URL = os.environ.get(
    "ONDERBOUWD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def migrated_database(backend: str, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[Database]:
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "onderbouwd.db"
        database = Database(f"sqlite:///{path}")
        upgrade(database.engine)
        try:
            yield database
        finally:
            database.dispose()
        return
    with postgres_database() as url:
        database = Database(url)
        upgrade(database.engine)
        try:
            yield database
        finally:
            database.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A uniquely named, empty schema in the PostgreSQL test database, dropped afterwards; the
    URL of a connection that works in it (its `search_path`), so parallel workers never meet."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        admin.dispose()
        reason = (f"PostgreSQL is not reachable at {make_url(POSTGRES_URL).render_as_string()} "
                  f"({str(error.orig).strip().splitlines()[0]}); start it, or set "
                  "ONDERBOUWD_TEST_POSTGRES_URL")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: PostgreSQL is required)", pytrace=False)
        pytest.skip(reason)
    schema = f"onderbouwd_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def clean(database: Database) -> None:
    """Empty every table (the schema and its revision stay)."""
    tables = [table.name for table in Base.metadata.sorted_tables]
    with database.engine.begin() as connection:
        if database.engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(text(f"DELETE FROM {table}"))
