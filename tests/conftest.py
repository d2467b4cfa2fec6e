from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.celery_workers import celery_cluster  # noqa: F401 (one pair for every module)
from tests.databases import clean, migrated_database
from tests.tenants import Tenant, make_tenant

DESIGN_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "design_example.json"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Database]:
    """A database built by Alembic, one per backend and test process; on PostgreSQL a schema
    of its own, dropped at the end, so parallel workers never meet."""
    with migrated_database(request.param, tmp_path_factory) as database:
        yield database


@pytest.fixture
def db(database: Database) -> Database:
    """The session's database, emptied before the test."""
    clean(database)
    return database


@pytest.fixture
def tenant_a(db: Database) -> Tenant:
    return make_tenant(db, "Woonstichting A")


@pytest.fixture
def tenant_b(db: Database) -> Tenant:
    return make_tenant(db, "Woonstichting B")


@pytest.fixture
def test_settings(db: Database) -> Settings:
    return Settings(database_url=db.url.render_as_string(hide_password=False),
                    runner_enabled=False, demo=False,
                    webhook_dispatcher_enabled=False, webhook_allow_private=True)


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def client_factory(db: Database, tenant_a: Tenant, test_settings: Settings) -> ClientFactory:
    """Clients of fresh apps on the test database, sending tenant A's key of `role`
    (none when `role` is None), with settings changed by keyword."""

    def make(role: str | None = "viewer", raise_server_exceptions: bool = True,
             **settings: Any) -> TestClient:
        app = create_app(test_settings.model_copy(update=settings), database=db)
        client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        if role is not None:
            client.headers["Authorization"] = f"Bearer {tenant_a.keys[role]}"
        return client

    return make


@pytest.fixture
def api_client(client_factory: ClientFactory) -> TestClient:
    """A client of a fresh app on the test database that sends tenant A's viewer key."""
    return client_factory()


@pytest.fixture
def design_example() -> dict[str, Any]:
    """The scenario of DESIGN §3 (feasible; proven optimum 10,737.17), fresh per test."""
    document: dict[str, Any] = json.loads(DESIGN_EXAMPLE.read_text(encoding="utf-8"))
    return document
