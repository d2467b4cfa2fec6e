"""Secrets: the demo key only on a terminal and never in production, placeholder secrets refused
in production, and API keys' creation and revocation in the audit log without the key."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from rich.console import Console
from typer.testing import CliRunner

from app.cli.main import app, prepare_environment
from app.core.config import Settings, get_settings
from app.core.db import Database
from tests.conftest import ClientFactory
from tests.tenants import Tenant

runner = CliRunner()
# A real-looking session secret, which production requires, so that each test meets the rule
# it is about.
SESSION_SECRET = "q8Xv2LmN4tRz7KpW9sBd3FgH6jYc1VaE"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'secrets.db'}"


@pytest.mark.parametrize("name", ["production", "PRODUCTION", " production "])
def test_production_turns_the_demo_off(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                       name: str) -> None:
    monkeypatch.setenv("ONDERBOUWD_ENV", name)
    monkeypatch.setenv("ONDERBOUWD_DEMO", "true")
    monkeypatch.setenv("ONDERBOUWD_SESSION_SECRET", SESSION_SECRET)
    settings = Settings(database_url=sqlite_url)

    assert settings.demo is False
    assert prepare_environment(settings, Console(quiet=True)) is None
    with Database(sqlite_url).engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM api_keys").scalar() == 0


@pytest.fixture
def production(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ONDERBOUWD_ENV", "production")
    monkeypatch.setenv("ONDERBOUWD_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ONDERBOUWD_SESSION_SECRET", SESSION_SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_demo_command_refuses_in_production(production: None) -> None:
    result = runner.invoke(app, ["demo"])

    assert result.exit_code == 2
    assert "obd_" not in result.output
    assert "production" in result.stderr


@pytest.mark.parametrize("password", ["changeme", "postgres", "password", "<password>", "secret"])
def test_a_placeholder_database_password_is_refused_in_production(password: str) -> None:
    url = f"postgresql+psycopg://onderbouwd:{password}@db.internal/onderbouwd"

    with pytest.raises(ValidationError, match="ONDERBOUWD_DATABASE_URL"):
        Settings(env="production", database_url=url, session_secret=SESSION_SECRET)
    # Outside production the same URL is a development setup.
    assert Settings(env="development", database_url=url).database_url == url


def test_a_real_password_is_accepted_in_production() -> None:
    url = "postgresql+psycopg://onderbouwd:k3Vq9-2mWx7ZpL@db.internal/onderbouwd"
    assert Settings(env="production", database_url=url, session_secret=SESSION_SECRET).production


@pytest.mark.parametrize("secret", ["<your session secret>", "<change this secret>"])
def test_a_placeholder_session_secret_is_refused_in_production(secret: str) -> None:
    with pytest.raises(ValidationError, match="ONDERBOUWD_SESSION_SECRET"):
        Settings(env="production", session_secret=secret)


def test_serve_prints_no_demo_key_where_the_output_is_not_a_terminal(sqlite_url: str) -> None:
    output = io.StringIO()
    console = Console(file=output, force_terminal=False)
    settings = Settings(database_url=sqlite_url, demo=True)

    key = prepare_environment(settings, console, make_key=console.is_terminal)

    assert key is None
    assert "obd_" not in output.getvalue()
    with Database(sqlite_url).engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM api_keys").scalar() == 0


def test_key_creation_and_revocation_are_audited_without_the_key(
    client_factory: ClientFactory, tenant_a: Tenant
) -> None:
    admin = client_factory("admin")
    created = admin.post("/api/v1/keys", json={"name": "erp", "role": "viewer"})
    assert created.status_code == 201, created.text
    key_id, key = created.json()["id"], created.json()["key"]
    assert admin.post(f"/api/v1/keys/{key_id}/revoke").status_code == 200

    entries = admin.get("/api/v1/audit", params={"entity_type": "api_key"}).json()["items"]

    mine = sorted((e for e in entries if e["entity_key"] == key_id),
                  key=lambda e: e["created_at"])
    assert [e["action"] for e in mine] == ["key.create", "key.revoke"]
    admin_prefix = tenant_a.keys["admin"].split("_")[1]
    assert all(admin_prefix in e["actor"] for e in mine)  # who: the admin's key
    assert all(e["created_at"] for e in mine)  # when
    secret = key.split("_", 2)[2]
    assert key not in json.dumps(entries)
    assert secret not in json.dumps(entries)
