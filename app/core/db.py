"""Engines and sessions: SQLite (the embedded default) and PostgreSQL through psycopg 3.

On SQLite (WAL), write transactions are opened with `BEGIN IMMEDIATE`, so a transaction that
reads and then writes never fails half-way because another connection wrote in between: writers
queue on the busy timeout instead. Read-only transactions (`Database.read_transaction`, every
GET request) begin deferred and never wait for a writer. Sessions never commit by themselves;
the edge (a request, a CLI command, the job runner) does.

A request that cannot get a connection or the write lock within the timeouts below fails with
`OperationalError`/`TimeoutError`, which the API answers as 503 with `Retry-After`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

# How long a write waits for SQLite's lock before the request gives up (503, try again). Long
# enough for every short write of 50 clients at once to queue (each holds it for milliseconds,
# tests/api/test_concurrency.py), short enough that a client is told within seconds.
SQLITE_BUSY_TIMEOUT_S = 5.0
# Connections per process: the thread pool FastAPI runs endpoints in has 40 threads (anyio's
# default), each holding at most one connection at a time; 10 more for the job runner and the
# authentication middleware. PostgreSQL: 2 API processes stay under its default 100 connections.
POOL_SIZE = 40
POOL_OVERFLOW = 10
POOL_TIMEOUT_S = 5.0
READ_ONLY = "onderbouwd_read_only"


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str | URL) -> Engine:
    parsed = make_url(url)
    pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, "pool_timeout": POOL_TIMEOUT_S}
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, **pool)
    memory = not parsed.database or parsed.database == ":memory:"
    if not memory:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        **({} if memory else pool),
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide where transactions begin (see `_sqlite_begin`).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    """One engine and its session factory; shared by the API, the CLI and the job runner."""

    def __init__(self, url: str | URL, engine: Engine | None = None) -> None:
        self.url = make_url(url)
        self.engine = engine or make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed when the block ends normally and rolled back when it raises."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read_transaction(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it takes no write lock, so it never waits
        for a writer (WAL). Rolled back at the end; a write in it fails."""
        with self.read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
