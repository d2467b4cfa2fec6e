from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

DESIGN_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "design_example.json"


@pytest.fixture
def api_client() -> TestClient:
    return TestClient(create_app())


@pytest.fixture
def design_example() -> dict[str, Any]:
    """The scenario of DESIGN §3 (feasible; proven optimum 10,737.17), fresh per test."""
    document: dict[str, Any] = json.loads(DESIGN_EXAMPLE.read_text(encoding="utf-8"))
    return document
