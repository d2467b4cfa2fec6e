"""The optimizer stays pure: no web framework, no database, no layer above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

OPTIMIZER = Path(__file__).resolve().parents[2] / "app" / "optimizer"
FORBIDDEN = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "app.api",
    "app.models",
    "app.repositories",
    "app.services",
    "app.core.db",
)


@pytest.mark.parametrize("source", sorted(OPTIMIZER.glob("*.py")), ids=lambda p: p.name)
def test_optimizer_module_imports_nothing_impure(source: Path) -> None:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    bad = [name for name in imported if name.startswith(FORBIDDEN)]
    assert not bad, f"{source.name} imports {bad}"
