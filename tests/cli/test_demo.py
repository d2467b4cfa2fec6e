"""`serve`'s preparation and `onderbouwd demo`: migrations, the demo organisation, its key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from app.cli.main import app, prepare_environment
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.errors import Unauthorized
from app.services.access.keys import authenticate
from app.services.planning.scenarios import list_scenarios

runner = CliRunner()


def _principal(database: Database, key: str):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return authenticate(session, key)


def test_serve_prepares_the_demo_and_a_fresh_key_each_start(db: Database) -> None:
    settings = Settings(database_url=db.url.render_as_string(False), demo=True)
    console = Console(quiet=True)

    first = prepare_environment(settings, console)
    second = prepare_environment(settings, console)

    assert first is not None
    assert second is not None
    principal = _principal(db, second)
    assert (principal.organisation_name, principal.role.value) == ("Demo Utrecht", "planner")
    with pytest.raises(Unauthorized):
        _principal(db, first)
    with db.transaction() as session:
        stored = list_scenarios(session, principal, limit=10, cursor=None).items
    assert [s.name for s in stored] == ["Utrecht 2027–2029 (from the catalogue)"]


def test_without_the_demo_serve_only_migrates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'onderbouwd.db'}"
    settings = Settings(database_url=url, demo=False)
    assert prepare_environment(settings, Console(quiet=True)) is None
    assert (tmp_path / "var" / "onderbouwd.db").exists()


@pytest.fixture
def fresh_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("ONDERBOUWD_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_the_demo_command_loads_real_buurten_and_prints_a_planner_key(fresh_url: str) -> None:
    result = runner.invoke(app, ["demo"])

    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    database = Database(fresh_url)
    principal = _principal(database, key)
    assert principal.role.value == "planner"
    assert "111 buurten" in result.stderr
    with database.engine.connect() as connection:
        homes = connection.exec_driver_sql(
            "SELECT homes, regulated_homes FROM neighbourhoods WHERE code = 'BU03440831'").one()
        history = connection.exec_driver_sql(
            "SELECT min(year), max(year) FROM indicator_values WHERE indicator = 'lbm_afw'").one()
    assert tuple(homes) == (3675, 1984)  # Kanaleneiland-Zuid: 3,675 homes, 54% corporation
    assert tuple(history) == (2002, 2024)
    assert "already loaded" in runner.invoke(app, ["demo"]).stderr
