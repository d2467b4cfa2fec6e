"""Fixtures for tests across real processes: PostgreSQL, Redis, `onderbouwd worker`s and API
servers as subprocesses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.db import Database
from tests.celery_workers import Broker, require_redis, unique_broker
from tests.databases import clean, migrated_database
from tests.tenants import Tenant, make_tenant


@pytest.fixture(scope="module")
def pg_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A PostgreSQL schema of this module's own, built by Alembic."""
    with migrated_database("postgresql", tmp_path_factory) as database:
        yield database


@pytest.fixture
def pg(pg_database: Database) -> Database:
    clean(pg_database)
    return pg_database


@pytest.fixture
def broker() -> Iterator[Broker]:
    """A queue and key prefix of this test's own on the test Redis."""
    require_redis()
    broker = unique_broker()
    yield broker
    broker.forget()


@pytest.fixture
def tenant(pg: Database) -> Tenant:
    return make_tenant(pg, "Woonstichting Noord")
