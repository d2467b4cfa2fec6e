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
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

# How long a write waits for SQLite's lock before the request gives up (503, try again). Long
# enough for every short write of 50 clients at once to queue (each holds it for milliseconds,
# tests/api/service/test_concurrency.py), short enough that a client is told within seconds.
SQLITE_BUSY_TIMEOUT_S = 5.0
# Threads the API runs endpoints, dependencies and key checks in (anyio's default is 40; set
# at start-up by `app.main`). A write queued for SQLite's lock waits in its thread, so with 40 a
# burst of 40 queued writes left no thread for reads, which then waited seconds behind them
# (benchmarks/load.py, 50 clients: read p99 4 s). Waiting threads cost no CPU.
API_THREADS = 100
# Connections per process. SQLite: one per API thread, 10 more for the job runner (a connection
# to a local file costs little; one writer at a time whatever the count). PostgreSQL: 2 API
# processes stay well under its default 100 connections, and a request that finds every
# connection in use waits for one (it queues, not fails) for up to POOL_TIMEOUT_S.
SQLITE_POOL_SIZE = API_THREADS
POSTGRES_POOL_SIZE = 20
POOL_OVERFLOW = 10
POOL_TIMEOUT_S = 5.0
POSTGRES_POOL_TIMEOUT_S = 30.0
READ_ONLY = "onderbouwd_read_only"


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str | URL) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, pool_size=POSTGRES_POOL_SIZE,
                             max_overflow=POOL_OVERFLOW, pool_timeout=POSTGRES_POOL_TIMEOUT_S)
    pool = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": POOL_OVERFLOW,
            "pool_timeout": POOL_TIMEOUT_S}
    memory = not parsed.database or parsed.database == ":memory:"
    if not memory:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        **({} if memory else pool),
    )
    event.listen(engine, "connect", _sqlite_connect)
    writers = _WriterQueue(SQLITE_BUSY_TIMEOUT_S)
    event.listen(engine, "begin", writers.begin)
    event.listen(engine, "commit", writers.end)
    event.listen(engine, "rollback", writers.end)
    event.listen(engine.pool, "checkin", writers.checkin)
    return engine


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide where transactions begin (see `_sqlite_begin`).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


class _WriterQueue:
    """Write transactions of one process take turns on a lock of their own before `BEGIN
    IMMEDIATE`.

    SQLite's own wait for its write lock polls, sleeping up to 100 ms between tries, so under
    many writers a waiting one sleeps through the moments the lock is free and the unlucky ones
    run out of the busy timeout (50 clients: "database is locked"). Here writers wait in line,
    first come first served, each woken the moment the one before it commits, so a write waits
    for the writes queued before it and no longer; SQLite's wait remains only between
    processes. Reads (`BEGIN`, deferred) never queue. A turn ends when the transaction commits
    or rolls back, or at the latest when its connection goes back to the pool (a `BEGIN
    IMMEDIATE` that failed has neither).
    """

    _HELD = "onderbouwd_write_turn"

    def __init__(self, timeout_s: float) -> None:
        self.lock = _FairLock()
        self.timeout_s = timeout_s

    def begin(self, connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        if not connection.info.get(self._HELD):
            if not self.lock.acquire(timeout=self.timeout_s):
                # Answered like SQLite's own busy timeout: 503 with Retry-After.
                raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(
                    f"database is locked: still {self.lock.waiting} writes queued in this "
                    f"process after {self.timeout_s:g} s"))
            connection.info[self._HELD] = True
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    def end(self, connection: Any) -> None:
        self._release(connection.info)

    def checkin(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record.info)

    def _release(self, info: dict[str, Any]) -> None:
        if info.pop(self._HELD, False):
            self.lock.release()


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


class _FairLock:
    """A lock handed to its waiters in the order they came (`threading.Lock` lets a newcomer
    overtake, so under a steady stream of writers some wait until they time out)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._queue: deque[threading.Lock] = deque()
        self._held = False

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._queue.append(turn)
        if turn.acquire(timeout=timeout):
            return True
        with self._mutex:
            try:
                self._queue.remove(turn)
            except ValueError:  # handed over between the timeout and here: it is ours
                return True
        return False

    def release(self) -> None:
        with self._mutex:
            if self._queue:
                self._queue.popleft().release()  # handed over: stays held
            else:
                self._held = False
