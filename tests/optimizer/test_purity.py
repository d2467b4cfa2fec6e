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


SOURCES = sorted(OPTIMIZER.rglob("*.py"))


def test_the_check_sees_every_sub_package() -> None:
    folders = {source.parent for source in SOURCES}
    assert {OPTIMIZER / name for name in ("problem", "model", "backends", "search")} <= folders


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(OPTIMIZER)))
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
    assert not bad, f"{source.relative_to(OPTIMIZER)} imports {bad}"
