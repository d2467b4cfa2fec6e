"""`onderbouwd db upgrade` and `onderbouwd keys create|list|revoke` on a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from app.core.config import get_settings
from app.core.db import Database
from app.core.migrations import is_current
from app.services.access.keys import authenticate

runner = CliRunner()


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'var' / 'onderbouwd.db'}"
    monkeypatch.setenv("ONDERBOUWD_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_db_upgrade_creates_the_folder_and_the_schema(database_url: str, tmp_path: Path
                                                      ) -> None:
    first = runner.invoke(app, ["db", "upgrade"])
    again = runner.invoke(app, ["db", "upgrade"])

    assert first.exit_code == 0, first.output
    assert "migrated" in first.output
    assert "already at the latest schema" in again.output
    assert (tmp_path / "var" / "onderbouwd.db").exists()
    assert is_current(Database(database_url).engine)
    assert runner.invoke(app, ["db", "current"]).exit_code == 0


def test_keys_create_list_revoke(database_url: str) -> None:
    runner.invoke(app, ["db", "upgrade"])

    created = runner.invoke(app, ["keys", "create", "--org", "Woonstad", "--role", "planner"])

    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    database = Database(database_url)
    with database.transaction() as session:
        principal = authenticate(session, key)
    assert (principal.organisation_name, principal.role.value) == ("Woonstad", "planner")
    prefix = key.rsplit("_", 1)[0]
    listed = runner.invoke(app, ["keys", "list", "--org", "Woonstad"])
    assert prefix in listed.stdout
    assert key not in listed.stdout
    assert runner.invoke(app, ["keys", "revoke", "--org", "Woonstad", prefix]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["keys", "list", "--org", "Woonstad"]).stdout
    assert runner.invoke(app, ["keys", "list", "--org", "Nobody"]).exit_code != 0
