"""A request never holds a database connection while it waits for a thread.

FastAPI runs plain endpoints, and then serialises their answers, in one pool of worker threads.
When a request kept its connection until its answer was serialised, a burst of requests larger
than the thread pool could leave every thread waiting for a connection and every connection
with a request waiting for a thread: nothing moved until the connection pool's timeout, and
then the waiting requests failed (one PostgreSQL API process, 200 clients: 31 s per request).
Reproduced small: one connection, two threads, eight requests at once. Every request must be
answered, and answered 200 — without the fix they time out on the pool and answer 503.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

import app.core.db as db_module
from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.tenants import Tenant

REQUESTS = 8
THREADS = 2
POOL_TIMEOUT_S = 3.0


def _one_connection(monkeypatch: pytest.MonkeyPatch, url: str) -> Database:
    for name in ("POSTGRES_POOL_SIZE", "SQLITE_POOL_SIZE"):
        monkeypatch.setattr(db_module, name, 1)
    monkeypatch.setattr(db_module, "POOL_OVERFLOW", 0)
    monkeypatch.setattr(db_module, "POOL_TIMEOUT_S", POOL_TIMEOUT_S)
    monkeypatch.setattr(db_module, "POSTGRES_POOL_TIMEOUT_S", POOL_TIMEOUT_S)
    return Database(url)


@pytest.mark.parametrize("path", ["/api/v1/domains", "/api/v1/scenarios", "/api/v1/runs"])
def test_a_burst_larger_than_the_threads_on_one_connection_is_served(
    monkeypatch: pytest.MonkeyPatch, db: Database, tenant_a: Tenant, test_settings: Settings,
    path: str,
) -> None:
    database = _one_connection(monkeypatch, db.url.render_as_string(hide_password=False))
    try:
        with TestClient(create_app(test_settings, database=database),
                        headers=tenant_a.headers("viewer")) as client:

            def fewer_threads() -> None:
                anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS

            client.portal.call(fewer_threads)  # type: ignore[union-attr]
            with ThreadPoolExecutor(REQUESTS) as clients:
                answers = list(clients.map(lambda _: client.get(path), range(REQUESTS)))
    finally:
        database.dispose()
    assert [answer.status_code for answer in answers] == [200] * REQUESTS, [
        answer.text[:200] for answer in answers if answer.status_code != 200]
