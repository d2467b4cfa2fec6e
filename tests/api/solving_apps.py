"""Apps whose runs are solved, by either job backend: the embedded runner, or the session's two
Celery worker processes on Redis and PostgreSQL (`tests.celery_workers.celery_cluster`).

A module's fixture takes `params=BACKENDS` and builds its client with `solving_client`; on
SQLite the Celery variant skips (the Celery backend is for production: PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.tenants import Tenant

BACKENDS = ["embedded", "celery"]


@contextmanager
def solving_client(request: pytest.FixtureRequest, db: Database, tenant: Tenant,
                   test_settings: Settings) -> Iterator[TestClient]:
    """A planner's client of an app on `request.param`'s backend."""
    if request.param == "celery":
        broker = request.getfixturevalue("celery_cluster")
        settings = test_settings.model_copy(update=broker.settings())
    else:
        settings = test_settings.model_copy(update={"runner_enabled": True,
                                                    "runner_poll_s": 0.05, "runner_workers": 2})
    with TestClient(create_app(settings, database=db), headers=tenant.headers()) as client:
        yield client
