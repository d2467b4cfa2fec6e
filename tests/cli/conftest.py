"""Fixtures of the command tests: the environment the commands read, with something that solves
what they queue (an embedded runner beside them, or the session's two Celery workers on Redis
and PostgreSQL), or with nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.config import Settings, get_settings
from app.core.db import Database
from app.jobs.runner import EmbeddedRunner


@pytest.fixture(params=["embedded", "celery"])
def solving(request: pytest.FixtureRequest, db: Database, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[None]:
    """The environment the command reads, and something that solves what it queues."""
    monkeypatch.setenv("ONDERBOUWD_DATABASE_URL", db.url.render_as_string(False))
    if request.param == "celery":
        for name, value in request.getfixturevalue("celery_cluster").environment().items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        yield
    else:
        get_settings.cache_clear()
        embedded = EmbeddedRunner(db, Settings(runner_poll_s=0.05, runner_workers=2),
                                  owner="cli-test")
        embedded.start()
        yield
        embedded.stop()
    get_settings.cache_clear()


@pytest.fixture
def no_solver(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The environment the command reads, with nothing to solve what it queues."""
    monkeypatch.setenv("ONDERBOUWD_DATABASE_URL", db.url.render_as_string(False))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
