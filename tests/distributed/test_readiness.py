"""/ready with the Celery backend: the database, the broker and the workers that answer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.celery_workers import Broker, wait_for_workers, worker
from tests.distributed.processes import free_port


def _client(database: Database, **settings: object) -> TestClient:
    configured = Settings(database_url=database.url.render_as_string(False), demo=False,
                          webhook_dispatcher_enabled=False).model_copy(update=settings)
    return TestClient(create_app(configured, database=database))


def test_ready_counts_the_workers_that_answer(pg: Database, broker: Broker) -> None:
    with _client(pg, **broker.settings()) as client:
        idle = client.get("/ready")
        assert idle.status_code == 200
        assert idle.json()["jobs"] == {"backend": "celery", "broker": "ok", "workers": 0}
        with worker(pg.url.render_as_string(False), broker):
            wait_for_workers(Settings(**broker.settings()), 1)
            # /ready waits half a second for pongs; on a busy machine one ping can miss the
            # worker that answered the last, so the worker must be counted within a few tries.
            counted = []
            while len(counted) < 10 and 1 not in counted:
                counted.append(client.get("/ready").json()["jobs"]["workers"])
            assert counted[-1] == 1, counted
            assert max(counted) == 1, counted


def test_a_broker_out_of_reach_is_not_ready(pg: Database) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    with _client(pg, broker_url=nowhere) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "broker" in response.json()["detail"]


def test_the_embedded_runner_reports_its_solves_at_once(pg: Database) -> None:
    with _client(pg, runner_workers=3) as client:
        assert client.get("/ready").json()["jobs"] == {
            "backend": "embedded", "broker": "none", "workers": 3}
