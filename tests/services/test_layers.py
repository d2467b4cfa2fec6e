"""Imports go one way: api/cli/jobs → services → {optimizer, repositories} → models."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
WEB = ("fastapi", "starlette")
FORBIDDEN = {
    "services": (*WEB, "app.api", "app.cli", "app.jobs"),
    "repositories": (*WEB, "app.api", "app.cli", "app.jobs", "app.services"),
    "models": (*WEB, "app.api", "app.cli", "app.jobs", "app.services", "app.repositories"),
    "jobs": (*WEB, "app.api", "app.cli"),
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_upward_imports(layer: str) -> None:
    offending = {
        f"{path.relative_to(APP)}: {name}"
        for path in (APP / layer).rglob("*.py")
        for name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer])
    }
    assert not offending
