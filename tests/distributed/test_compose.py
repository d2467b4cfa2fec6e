"""docker-compose.yml: the production shape is complete, its settings exist, and `docker
compose config` accepts it where docker compose is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def test_the_services_of_the_production_shape() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "api", "worker", "nginx"}
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["api"]["command"][-5:] == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    assert services["worker"]["command"][-1] == "worker"
    assert services["migrate"]["command"][-2:] == ["db", "upgrade"]
    for name in ("api", "worker"):  # one image, started only once the schema is current
        assert services[name]["image"] == services["migrate"]["image"]
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully")
        assert "ports" not in services[name]  # reached through nginx only; scalable
    assert services["worker"]["environment"]["ONDERBOUWD_BROKER_URL"].startswith("redis://")


def test_every_setting_it_sets_exists() -> None:
    """A misspelt ONDERBOUWD_ variable would be ignored silently by the application."""
    known = {f"ONDERBOUWD_{name.upper()}" for name in Settings.model_fields}
    known |= {"ONDERBOUWD_ENVIRONMENT"}
    used = set(re.findall(r"\b(ONDERBOUWD_[A-Z_]+):", COMPOSE.read_text(encoding="utf-8")))
    assert used
    assert used <= known, used - known


def test_nginx_passes_to_the_api_replicas() -> None:
    mounted = _compose()["services"]["nginx"]["volumes"][0].split(":")[0]
    config = (ROOT / mounted).read_text(encoding="utf-8")
    assert re.search(r"server api:8000\b", config)
    assert "proxy_pass http://onderbouwd_api;" in config


def test_docker_compose_config_accepts_it() -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True,
                                         check=False).returncode != 0:
        pytest.skip("docker compose is not installed here")
    checked = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
                             capture_output=True, text=True, check=False, cwd=ROOT)
    assert checked.returncode == 0, checked.stderr


def test_every_setting_is_documented_for_operators() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = [f"ONDERBOUWD_{name.upper()}" for name in Settings.model_fields
               if f"`ONDERBOUWD_{name.upper()}`" not in operations]
    assert not missing, f"add these to the settings table of docs/operations.md: {missing}"
